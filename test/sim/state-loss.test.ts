/**
 * The state objects deleted again and again during a day: each run that finds none rebuilds it from the archive's
 * own metadata, so the day moves about the bytes it archives, not a full copy of every file RDS still holds per loss.
 * Without the rebuild, the in-process scenario below read 2.72x the log bytes it wrote (3.04x over 24 hours); with it, 1.00x.
 */
import assert from "node:assert/strict";
import { runScenario } from "./drive";
import { assertExactlyOnce } from "./assert-sim";
import { everyScheme } from "./scenarios";
import { HOUR } from "./time";
import { DEFAULT_START } from "./drive";
import { RUNNERS } from "../shipped/runner";

/** Bytes read from RDS over log bytes written, at most. */
const MAX_AMPLIFICATION = 1.3;

for (const runner of RUNNERS) describe(`sim (${runner}): the state lost several times a day`, function () {
  this.timeout(240_000);
  const span = runner === "serialized" ? 6 * HOUR : 12 * HOUR;

  it(`rebuilds it from the archive: every line once, at most ${MAX_AMPLIFICATION}x the log bytes read`, async () => {
    const losses = Array.from({ length: 7 }, (_, n) => DEFAULT_START + ((n + 1) * span) / 8);
    const r = await runScenario({
      runner,
      name: `state loss (${runner})`,
      seed: 412,
      durationMs: span,
      instances: everyScheme(span),
      stateLosses: losses,
    });
    assertExactlyOnce(r, { noFailures: true, minRequired: 1000 });
    const rebuilds = r.syncs.flatMap((s) => s.reports.flatMap((rep) => rep.instances.filter((i) => i.stateRebuilt)));
    assert.ok(rebuilds.length >= 7 * 6, `each of the 7 losses rebuilt every instance's state (${rebuilds.length} rebuilds)`);
    const amplification = r.totals.bytesRead / r.bytesWritten;
    console.log(`      amplification ${amplification.toFixed(2)} (bytes read from RDS / log bytes written)`);
    assert.ok(amplification <= MAX_AMPLIFICATION, `read ${amplification.toFixed(2)}x the log bytes`);
  });
});
