import assert from "node:assert/strict";
import { isClean, summarize } from "./check-archive";
import { describeResult, type ScenarioResult } from "./drive";

/** The scenario's archive holds every required line exactly once, uncorrupted, under well-formed keys. */
export function assertExactlyOnce(
  r: ScenarioResult,
  opts: { noFailures?: boolean; minRequired?: number; maxReadFactor?: number } = {},
): void {
  console.log(`      ${describeResult(r)}`);
  const c = r.check;
  const why = `${summarize(c, 5)}\nfailures: ${r.failures.slice(0, 10).join("\n  ")}`;
  assert.ok(c.linesChecked >= (opts.minRequired ?? 1), `too few lines checked: ${c.linesChecked}\n${why}`);
  assert.equal(c.lost.length, 0, `lost lines\n${why}`);
  assert.equal(c.duplicated.length, 0, `duplicated lines\n${why}`);
  assert.equal(c.corrupted.length, 0, `corrupted objects or lines\n${why}`);
  assert.ok(isClean(c), `layout/metadata/period findings\n${why}`);
  if (opts.maxReadFactor !== undefined) {
    // Closed files copied once: bytes read stay linear in the bytes the models wrote.
    assert.ok(r.totals.bytesRead <= opts.maxReadFactor * r.bytesWritten, `read ${r.totals.bytesRead} bytes for ${r.bytesWritten} bytes of logs`);
  }
  if (opts.noFailures) assert.deepEqual(r.failures, [], "no copy or instance failed in a run without faults or races");
}
