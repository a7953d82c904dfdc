/**
 * Every scheme at once with a 6-hour outage across midnight, injected faults (5xx, throttling, resets mid-body,
 * silent truncation; on listing, cluster lookup and download) and races between listing and download (a file
 * grows, is renamed by a rotation, vanishes, or the clock runs on), over 30 virtual hours in-process and through
 * the serialized function: the outage, every fault kind and every race kind happen, and MySQL's `.H` names come
 * back the next day.
 */
import assert from "node:assert/strict";
import { runScenario } from "./drive";
import { assertExactlyOnce } from "./assert-sim";
import { SeededRandom } from "../../local-aws/seeded-random";
import { everyScheme, faultSchedule } from "./scenarios";
import { DAY, HOUR, MINUTE } from "./time";
import { DEFAULT_START } from "./drive";
import { RUNNERS } from "../shipped/runner";

for (const runner of RUNNERS) describe(`sim (${runner}): all schemes with an outage, faults and races`, function () {
  this.timeout(240_000);
  const span = 30 * HOUR;

  it(`archives every line exactly once over ${span / HOUR} virtual hours`, async () => {
    const start = DEFAULT_START;
    const instances = ["mysql-1", "aurora-a-1", "aurora-a-2", "pg-eager", "pg-lazy", "mssql-1"];
    const r = await runScenario({
      runner,
      name: `mixed (${runner})`,
      seed: 201,
      start,
      durationMs: span,
      instances: everyScheme(span),
      outages: [{ from: start + 20 * HOUR, to: start + 26 * HOUR }],
      faults: faultSchedule(start, span, new SeededRandom(7), instances),
      races: { chance: 0.1, kinds: ["grow", "rotate", "vanish", "advance"], maxAdvanceMs: 5 * MINUTE },
    });
    assertExactlyOnce(r, { minRequired: (20_000 * span) / (2 * DAY) });
    for (const kind of ["grow", "rotate", "vanish", "advance"] as const) assert.ok(r.races[kind] > 0, `no ${kind} race happened`);
    assert.ok(r.faultsInjected >= 30);
    assert.ok(r.failures.length > 0, "the faults made some copies fail (and later runs retried them)");
  });
});
