/**
 * The optional active-file refresh (activeRefreshMinutes > 0): still-written files are copied at most every
 * N minutes under the key their final version replaces. Files grow under the running sync (grow races) and
 * the clock runs on during it. The archive must still hold every line exactly once, and the bytes read must
 * stay linear in the log volume (no re-copy of every active file on every run). 8 virtual hours in-process, 4 through
 * the serialized function (its ACTIVE_REFRESH_MINUTES variable).
 */
import assert from "node:assert/strict";
import { runScenario } from "./drive";
import { assertExactlyOnce } from "./assert-sim";
import { auroraMember, mysqlHourly, postgres } from "./scenarios";
import { HOUR, MINUTE } from "./time";
import { RUNNERS } from "../shipped/runner";

for (const runner of RUNNERS) describe(`sim (${runner}): active files refreshed every 30 virtual minutes`, function () {
  this.timeout(120_000);
  const span = runner === "serialized" ? 4 * HOUR : 8 * HOUR;

  it("no duplicate survives the refreshes, and reads stay linear", async () => {
    const r = await runScenario({
      runner,
      name: `active-refresh (${runner})`,
      seed: 501,
      durationMs: span,
      instances: (ctx) => [
        { id: "mysql-1", models: [mysqlHourly(ctx, "mysql-1")] },
        auroraMember(ctx, "aurora-1", "aurora-c"),
        { id: "pg-1", models: [postgres(ctx, "pg-1", true)] },
      ],
      activeRefreshMinutes: 30,
      races: { chance: 0.15, kinds: ["grow", "advance"], maxAdvanceMs: 3 * MINUTE },
    });
    assertExactlyOnce(r, { minRequired: (2000 * span) / (8 * HOUR) });
    assert.ok(r.races.grow > 0, "files grew under a running sync");
    assert.ok(r.totals.bytesRead < 4 * r.bytesWritten, `read ${r.totals.bytesRead} bytes for ${r.bytesWritten} bytes of logs`);
  });
});
