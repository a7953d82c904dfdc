/**
 * One scenario per RDS rotation scheme, a sync every 15 virtual minutes, no faults, no races. Each must archive every
 * required line exactly once, over at least a virtual day; through the serialized function too, except Aurora's
 * 8 writers, which run 8 virtual hours there (still over 60 files closed by the hour or by size).
 */
import assert from "node:assert/strict";
import { runScenario, type Simulation } from "./drive";
import { assertExactlyOnce } from "./assert-sim";
import { MysqlAuditModel, SqlServerModel } from "./engines";
import { auroraMember, mysqlAudit, mysqlHourly, postgres, sqlServer } from "./scenarios";
import { DAY, HOUR } from "./time";
import { RUNNERS } from "../shipped/runner";

for (const runner of RUNNERS) describe(`sim (${runner}): one scheme at a time, a sync every 15 virtual minutes`, function () {
  this.timeout(180_000);
  const auroraSpan = runner === "serialized" ? 8 * HOUR : DAY;

  it("MySQL/MariaDB hourly .H files over 26 hours: names come back the next day", async () => {
    const r = await runScenario({
      runner,
      name: `mysql-hourly (${runner})`,
      seed: 101,
      durationMs: DAY + 2 * HOUR,
      instances: (ctx) => [
        { id: "mysql-1", models: [mysqlHourly(ctx, "mysql-1")] },
        { id: "mysql-2", models: [mysqlHourly(ctx, "mysql-2", 60)] },
      ],
    });
    assertExactlyOnce(r, { noFailures: true, maxReadFactor: 1.1, minRequired: 3000 });
  });

  it("MySQL audit plugin chain server_audit.log -> .1 -> ... -> .9 with bursts between syncs", async () => {
    const between: number[] = [];
    let last = 0;
    const r = await runScenario({
      runner,
      name: `mysql-audit (${runner})`,
      seed: 102,
      durationMs: DAY,
      instances: (ctx) => [{ id: "mysql-audit-1", models: [mysqlAudit(ctx, "mysql-audit-1", DAY, 6)] }],
      onSync: (sim: Simulation) => {
        const m = sim.models()[0] as MysqlAuditModel;
        between.push(m.rotationCount - last);
        last = m.rotationCount;
      },
    });
    assertExactlyOnce(r, { noFailures: true, maxReadFactor: 1.1, minRequired: 3000 });
    assert.ok(between.filter((n) => n >= 3).length >= 3, `the chain rotated 3+ times between syncs only ${between.filter((n) => n >= 3).length} times`);
    assert.equal(r.check.unarchivable.total, 0, "with a sync every 15 minutes nothing rotates off the chain unseen");
  });

  it("Aurora MySQL: 4 concurrent audit writers on each of 2 cluster members", async () => {
    const r = await runScenario({
      runner,
      name: `aurora-audit (${runner})`,
      seed: 103,
      durationMs: auroraSpan,
      instances: (ctx) => [auroraMember(ctx, "aurora-1", "aurora-c"), auroraMember(ctx, "aurora-2", "aurora-c")],
    });
    assertExactlyOnce(r, { noFailures: true, maxReadFactor: 1.1, minRequired: (5000 * auroraSpan) / DAY });
    assert.ok(r.check.objects > (150 * auroraSpan) / DAY, "size rollovers and hourly files: many objects");
  });

  it("PostgreSQL hourly files, created at the boundary or lazily, renamed .gz after 3 hours", async () => {
    const r = await runScenario({
      runner,
      name: `postgres (${runner})`,
      seed: 104,
      durationMs: DAY,
      instances: (ctx) => [
        { id: "pg-eager", models: [postgres(ctx, "pg-eager", true, [5, 6])] },
        { id: "pg-lazy", models: [postgres(ctx, "pg-lazy", false, [5, 6, 13])] },
      ],
    });
    assertExactlyOnce(r, { noFailures: true, maxReadFactor: 1.1, minRequired: 5000 });
  });

  it("SQL Server ERROR -> ERROR.1 -> ... -> ERROR.6, daily and at restarts, over 2 days", async () => {
    let cycles = 0;
    const r = await runScenario({
      runner,
      name: `sqlserver (${runner})`,
      seed: 105,
      durationMs: 2 * DAY,
      instances: (ctx) => [{ id: "mssql-1", models: [sqlServer(ctx, "mssql-1")] }],
      onSync: (sim: Simulation) => {
        cycles = (sim.models()[0] as SqlServerModel).cycles;
      },
    });
    assertExactlyOnce(r, { noFailures: true, maxReadFactor: 1.1, minRequired: 3000 });
    assert.ok(cycles >= 6, `${cycles} cycles`);
  });
});
