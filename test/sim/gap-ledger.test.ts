/**
 * The gap ledger against the simulator's own ledger. A 26-hour outage: RDS deletes by retention (24 hours here)
 * files the last run listed as still open, and the audit plugin's bursts rotate its chain past every member the
 * last run saw, taking the active file's content with them. The simulator knows which listed contents left RDS
 * with none of their lines archived; the sync must count exactly those in FilesLost, and record each under _gaps/.
 * The same archive's digest chains are checked with the API verify uses.
 */
import assert from "node:assert/strict";
import { GAPS_PREFIX } from "../../archiver/layout/prefixes";
import { DEFAULT_START, runScenario, BUCKET, type Simulation } from "./drive";
import { auroraMember, mysqlAudit, mysqlHourly, sqlServer } from "./scenarios";
import { HOUR } from "./time";
import { RUNNERS } from "../shipped/runner";
import { digestFindings } from "./digest-check";

interface Seen {
  instance: string;
  name: string;
  lines: readonly string[];
}

for (const runner of RUNNERS) describe(`sim (${runner}): the gap ledger`, function () {
  this.timeout(240_000);

  it("FilesLost and _gaps/ name exactly the listed files that left RDS unarchived", async () => {
    const start = DEFAULT_START;
    const span = 32 * HOUR;
    // Every content a sync listed, by its line array: a rename or a compression keeps the array.
    const seen = new Map<readonly string[], Seen>();
    let gapObjects: string[] = [];
    let ledger: Simulation["ledger"] | undefined;
    let digests = { findings: ["not checked"], digests: 0, listed: 0 };
    const snapshot = (sim: Simulation) => {
      for (const inst of sim.instances) for (const m of inst.models) for (const f of m.files()) {
        if (f.lines.length > 0) seen.set(f.lines, { instance: inst.id, name: f.name, lines: f.lines });
      }
    };
    const r = await runScenario({
      runner,
      name: `gap ledger (${runner})`,
      seed: 77,
      start,
      durationMs: span,
      instances: (ctx) => [
        { id: "mysql-1", models: [mysqlHourly(ctx, "mysql-1"), mysqlAudit(ctx, "mysql-1", span, 8)] },
        auroraMember(ctx, "aurora-a-1", "aurora-a"),
        { id: "mssql-1", models: [sqlServer(ctx, "mssql-1")] },
      ],
      outages: [{ from: start + 4 * HOUR, to: start + 30 * HOUR }],
      onSync: async (sim) => {
        snapshot(sim);
        ledger = sim.ledger;
        gapObjects = (await sim.s3.listKeys(BUCKET, { prefix: GAPS_PREFIX })).map((o) => o.key);
        // After the last sync (the 2-hour tail's end), when every chain is as the archive keeps it.
        if (sim.now >= start + span + 2 * HOUR) digests = await digestFindings(sim);
      },
    });
    // Lost, as the simulator sees it: every line of a listed content left RDS before any sync saw it in a closed file.
    const lostBySim = [...seen.values()]
      .filter((s) => s.lines.every((l) => { const rec = ledger!.lines.get(l); return rec !== undefined && rec.dropped && rec.firstSync < 0; }))
      .map((s) => `${s.instance} ${s.name}`)
      .sort();
    const lostBySync = r.syncs.flatMap((s) => s.reports.flatMap((rep) => rep.instances.flatMap((i) => (i.lost ?? []).map((l) => `${i.instance} ${l.file}`)))).sort();
    const filesLost = r.syncs.reduce((n, s) => n + s.reports.reduce((m, rep) => m + (rep.totals.lost ?? 0), 0), 0);
    console.log(`      lost: ${lostBySim.length} by the simulator (${lostBySim.join(", ")}), ${filesLost} FilesLost, ${gapObjects.length} ledger objects`);
    assert.ok(lostBySim.length >= 3, `the outage lost files of several kinds: ${lostBySim.join(", ")}`);
    assert.deepEqual(lostBySync, lostBySim);
    assert.equal(filesLost, lostBySim.length);
    const keys = r.syncs.flatMap((s) => s.reports.flatMap((rep) => rep.instances.flatMap((i) => (i.lost ?? []).map((l) => l.key))));
    assert.deepEqual([...gapObjects].sort(), [...keys].sort(), "one ledger object per lost file, as the reports name them");
    assert.equal(r.check.lost.length, 0, "and nothing the sync could have archived is missing");
    assert.equal(r.check.duplicated.length, 0);
    // The same archive's digests: one chain per instance, intact, listing every object as it is.
    console.log(`      digests: ${digests.digests} written, ${digests.listed} keys listed`);
    assert.deepEqual(digests.findings, []);
    assert.ok(digests.digests >= 10 && digests.listed >= r.check.objects / 2, "the runs wrote digests");
  });
});
