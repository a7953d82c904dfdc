/**
 * Chain members that share a LastWritten. The engine names a chain member by (family, LastWritten, rank among
 * members with that LastWritten, newest first). A group of equal LastWritten can grow at its new end when
 * the active file, last written in the same instant as the newest member, is rotated later without another
 * write: SQL Server after `sp_cycle_errorlog` run twice in a row on a quiet server, then a daily cycle.
 * Each cycle writes the same "reinitialized" line, so those files have equal sizes too.
 */
import assert from "node:assert/strict";
import { BUCKET, Simulation } from "./drive";
import { assertExactlyOnce } from "./assert-sim";
import { readArchive } from "./check-archive";
import { AUDIT_ACTIVE, MysqlAuditModel, SqlServerModel } from "./engines";
import { HOUR, MINUTE, SECOND } from "./time";

describe("sim: chain members with equal LastWritten", function () {
  this.timeout(60_000);

  for (const { label, gapMs, precision, first } of [
    { label: "two cycles in one millisecond, files of different sizes", gapMs: 0, precision: 1, first: "startup" as const },
    { label: "two cycles in one millisecond, files of equal sizes", gapMs: 0, precision: 1, first: "reinit" as const },
    { label: "two cycles in one second, LastWritten listed in whole seconds", gapMs: 300, precision: SECOND, first: "reinit" as const },
  ]) {
    it(`SQL Server: ${label}, then a later cycle with no write in between`, async () => {
      let model!: SqlServerModel;
      const start = Date.UTC(2024, 9, 1, 0, 0);
      const sim = await Simulation.start({
        seed: 601,
        start,
        lastWrittenPrecisionMs: precision,
        instances: (ctx) => {
          model = new SqlServerModel({
            instance: "mssql-1",
            ledger: ctx.ledger,
            rng: ctx.rng.fork("mssql"),
            start: ctx.start,
            linesPerHour: 120,
            restartsPerDay: 0,
            // The server is quiet between the operator's cycles and the next one.
            silences: [{ from: start + 2 * HOUR, to: start + 3 * HOUR }],
          });
          return [{ id: "mssql-1", models: [model] }];
        },
      });
      try {
        sim.advanceTo(start + HOUR);
        await sim.sync();
        sim.advanceTo(start + 2 * HOUR + 10 * MINUTE + 123);
        model.cycleLog(2, gapMs, first); // ERROR -> .1 -> .2; ERROR.1 and ERROR hold one equal-length line each
        sim.advanceTo(sim.now + 5 * MINUTE);
        await sim.sync(); // archives ERROR.1 (one of a group of one) and ERROR.2
        sim.advanceTo(sim.now + 20 * MINUTE);
        model.cycleLog(1, 0, first); // ERROR (same LastWritten as ERROR.1) -> .1: the group now has two members
        sim.advanceTo(sim.now + 5 * MINUTE);
        await sim.sync();
        sim.advanceTo(start + 4 * HOUR);
        model.quiesce();
        model.closeActive();
        await sim.sync();
        assertExactlyOnce(await sim.result(`sqlserver equal LastWritten (${label})`), { minRequired: 100 });
      } finally {
        await sim.stop();
      }
    });
  }

  // Was a bug: the serialized mixed scenario archived 183 lines twice, under `-1` and `-2` of one LastWritten. Ranks
  // count the newer members of a tie, so when the newest of three tied members vanished after the two older ones were
  // archived (as `-1` and `-2`), the next run archived them again as `` and `-1`.
  it("MySQL audit: three rotations in one millisecond, the newest deleted while the other two are being archived", async () => {
    let model!: MysqlAuditModel;
    const start = Date.UTC(2024, 9, 1, 0, 0);
    const sim = await Simulation.start({
      seed: 602,
      start,
      instances: (ctx) => {
        model = new MysqlAuditModel({ instance: "mysql-1", ledger: ctx.ledger, rng: ctx.rng.fork("audit"), start: ctx.start, linesPerHour: 60, thresholdBytes: 4000 });
        return [{ id: "mysql-1", models: [model] }];
      },
    });
    try {
      sim.advanceTo(start + HOUR);
      for (let i = 0; i < 3; i++) model.rotate(AUDIT_ACTIVE); // .1, .2 and .3 share LastWritten
      const tied = model.files().filter((f) => f.lastWritten === sim.now && f.name !== AUDIT_ACTIVE);
      assert.equal(tied.length, 3);
      sim.advanceTo(sim.now + MINUTE);
      model.grow(AUDIT_ACTIVE, 1); // written after the tie: no member can join it, ranks may be given
      const newest = `${AUDIT_ACTIVE}.1`;
      const stamp = new Date(tied[0].lastWritten).toISOString().replace(/[-:.]/g, "");
      let vanished = false;
      sim.rds.beforeDownload = async (_instance, name) => {
        if (name !== newest || vanished) return;
        // Hold the newest member's download until the two older ones are stored, then RDS deletes it.
        for (let waited = 0; ; waited += 20) {
          const keys = (await readArchive({ endpoint: sim.s3.endpoint, bucket: BUCKET })).map((o) => o.key);
          if (keys.some((k) => k.endsWith(`${stamp}-1.gz`)) && keys.some((k) => k.endsWith(`${stamp}-2.gz`))) break;
          assert.ok(waited < 20_000, `the older tied members were not archived: ${keys.join(", ")}`);
          await new Promise((r) => setTimeout(r, 20));
        }
        vanished = model.vanish(newest);
        sim.mirror();
      };
      await sim.sync();
      assert.ok(vanished, "the newest tied member was deleted during the copies");
      sim.rds.beforeDownload = undefined;
      for (let i = 0; i < 3; i++) {
        sim.advanceTo(sim.now + 15 * MINUTE);
        await sim.sync();
      }
      model.quiesce();
      model.closeActive();
      await sim.sync();
      assertExactlyOnce(await sim.result("audit tie, newest member deleted"), { minRequired: 50 });
    } finally {
      await sim.stop();
    }
  });
});
