/**
 * Each fault kind aimed at the download of every closed file of every scheme at once: hourly slots
 * (including mysql-error-running.log.N), chain members, dated files, Aurora writers' files, `.gz` files.
 * After the faulty sync and two clean ones, every line must be archived exactly once.
 */
import { Simulation } from "./drive";
import { assertExactlyOnce } from "./assert-sim";
import type { FaultKind } from "../../local-aws/fake-rds";
import { MysqlAuditModel, PostgresModel } from "./engines";
import { auroraMember, mysqlHourly, sqlServer } from "./scenarios";
import { HOUR, MINUTE } from "./time";
import { RUNNERS } from "../shipped/runner";

const KINDS: FaultKind[] = ["http500", "throttle", "reset-mid-body", "truncate-body"];

for (const runner of RUNNERS) describe(`sim (${runner}): a fault on every download`, function () {
  this.timeout(120_000);

  for (const kind of KINDS) {
    it(`${kind} on the download of every closed file`, async () => {
      const sim = await Simulation.start({
        runner,
        seed: 401,
        instances: (ctx) => [
          {
            id: "mysql-1",
            models: [
              mysqlHourly(ctx, "mysql-1", 300),
              new MysqlAuditModel({ instance: "mysql-1", ledger: ctx.ledger, rng: ctx.rng.fork("audit"), start: ctx.start, linesPerHour: 300, thresholdBytes: 8000 }),
            ],
          },
          auroraMember(ctx, "aurora-1", "aurora-c"),
          {
            id: "pg-1",
            models: [new PostgresModel({ instance: "pg-1", ledger: ctx.ledger, rng: ctx.rng.fork("pg"), start: ctx.start, linesPerHour: 200, gzipAfterHours: 1 })],
          },
          { id: "mssql-1", models: [sqlServer(ctx, "mssql-1")] },
        ],
      });
      try {
        // Three hours without a sync: closed files of every kind pile up (PostgreSQL ones get gzipped).
        sim.advanceTo(sim.now + 3 * HOUR + 5 * MINUTE);
        for (const m of sim.models()) m.closeActive();
        sim.mirror();
        let aimed = 0;
        for (const inst of sim.instances) {
          for (const f of inst.models.flatMap((m) => m.files())) {
            if (f.open || f.lines.length === 0) continue;
            sim.rds.injectFault({ on: "download", kind, instance: inst.id, file: f.name });
            aimed++;
          }
        }
        await sim.sync();
        sim.advanceTo(sim.now + 15 * MINUTE);
        await sim.sync();
        sim.advanceTo(sim.now + 15 * MINUTE);
        await sim.sync();
        const faulted = sim.rds.requests.filter((r) => r.fault === kind).length;
        const result = await sim.result(`fault ${kind}, ${runner} (${aimed} files aimed, ${faulted} faulted requests)`, { faultsInjected: aimed });
        // One fault per file is absorbed by the run's own retries: no copy fails, nothing waits for the next run.
        assertExactlyOnce(result, { minRequired: 1000, noFailures: true });
      } finally {
        await sim.stop();
      }
    });
  }
});
