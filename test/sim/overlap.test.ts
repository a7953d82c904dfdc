/**
 * Overlapping runs: every third sync starts two runSync at the same virtual time, or a second run while
 * the first is downloading. Neither may lose nor duplicate a line. LastWritten is listed in whole seconds here.
 */
import assert from "node:assert/strict";
import { runScenario } from "./drive";
import { assertExactlyOnce } from "./assert-sim";
import { everyScheme } from "./scenarios";
import { DAY } from "./time";

describe("sim: overlapping runs", function () {
  this.timeout(180_000);

  it("two runs at once, every third sync, over a virtual day of every scheme", async () => {
    const r = await runScenario({
      name: "overlap",
      seed: 301,
      durationMs: DAY,
      instances: everyScheme(DAY),
      overlap: { every: 3, mode: "alternate" },
      // LastWritten listed in whole seconds, as RDS's documented examples show it.
      lastWrittenPrecisionMs: 1000,
    });
    assertExactlyOnce(r, { minRequired: 10_000 });
    const doubled = r.syncs.filter((s) => s.reports.length === 2);
    assert.ok(doubled.length >= 30, `${doubled.length} overlapping syncs`);
    // Both runs of an overlapping pair did work at least sometimes (otherwise nothing overlapped).
    assert.ok(doubled.some((s) => s.reports.every((rep) => rep.totals.copied > 0)), "both runs of a pair copied something");
  });
});
