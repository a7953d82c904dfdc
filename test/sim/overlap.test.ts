/**
 * Overlapping runs: every third sync starts two runs at the same virtual time, or a second run while
 * the first is downloading. Neither may lose nor duplicate a line. LastWritten is listed in whole seconds here.
 * 12 virtual hours; through the serialized function the two runs are two host processes (two Lambda containers).
 */
import assert from "node:assert/strict";
import { DEFAULT_START, runScenario } from "./drive";
import { assertExactlyOnce } from "./assert-sim";
import { everyScheme } from "./scenarios";
import { DAY, HOUR } from "./time";
import { RUNNERS } from "../shipped/runner";
import { digestFindings } from "./digest-check";

for (const runner of RUNNERS) describe(`sim (${runner}): overlapping runs`, function () {
  this.timeout(180_000);
  const span = 12 * HOUR;

  it(`two runs at once, every third sync, over ${span / HOUR} virtual hours of every scheme`, async () => {
    let digests = { findings: ["not checked"], digests: 0, listed: 0 };
    const r = await runScenario({
      runner,
      name: `overlap (${runner})`,
      seed: 301,
      durationMs: span,
      instances: everyScheme(span),
      overlap: { every: 3, mode: "alternate" },
      // LastWritten listed in whole seconds, as RDS's documented examples show it.
      lastWrittenPrecisionMs: 1000,
      // The digests as the last scheduled sync left them (the end of the 2-hour tail).
      onSync: async (sim) => {
        if (sim.now >= DEFAULT_START + span + 2 * HOUR) digests = await digestFindings(sim);
      },
    });
    assertExactlyOnce(r, { minRequired: (10_000 * span) / DAY });
    const doubled = r.syncs.filter((s) => s.reports.length === 2);
    assert.ok(doubled.length >= (30 * span) / DAY, `${doubled.length} overlapping syncs`);
    // Both runs of an overlapping pair did work at least sometimes (otherwise nothing overlapped).
    assert.ok(doubled.some((s) => s.reports.every((rep) => rep.totals.copied > 0)), "both runs of a pair copied something");
    // Two runs at once write each digest once (a conditional create), and the chains stay whole.
    assert.deepEqual(digests.findings, []);
    assert.ok(digests.digests > 0);
  });
});
