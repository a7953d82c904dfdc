/**
 * Chain members that share a LastWritten. The engine names a chain member by (family, LastWritten, rank among
 * members with that LastWritten, newest first). A group of equal LastWritten can grow at its new end when
 * the active file, last written in the same instant as the newest member, is rotated later without another
 * write: SQL Server after `sp_cycle_errorlog` run twice in a row on a quiet server, then a daily cycle.
 * Each cycle writes the same "reinitialized" line, so those files have equal sizes too.
 */
import { Simulation } from "./drive";
import { assertExactlyOnce } from "./assert-sim";
import { SqlServerModel } from "./engines";
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
});
