/**
 * The rotation simulator through fan-out, as shipped: every sync is a tick of the serialized dispatcher, whose
 * messages the event source mapping hands to three concurrent serialized workers. Along the way, workers are
 * SIGKILLed in the middle of a copy (their message comes back after its visibility timeout, to a fresh host), every
 * message of one instance is delivered twice (its first delete is lost), a tick is dispatched twice (deduplicated)
 * and a late tick adds a second message per instance. Every line must still be archived exactly once.
 */
import assert from "node:assert/strict";
import { assertExactlyOnce } from "./assert-sim";
import { BUCKET, Simulation } from "./drive";
import { overlappingRuns } from "../fan-out/stage";
import { auroraMember, busyFirstHourPostgres, mysqlAudit, mysqlHourly } from "./scenarios";
import { HOUR, MINUTE, iso } from "./time";

describe("sim (fan-out): dispatcher -> FIFO queue -> concurrent serialized workers", function () {
  this.timeout(240_000);

  it("workers killed mid-copy and messages delivered twice: every line exactly once", async () => {
    const seen = new Set<string>();
    const startedAt = Date.now();
    const sim = await Simulation.start({
      seed: 1101,
      runner: "fan-out",
      fanOut: {
        workerConcurrency: 3,
        // Every mysql-1 message is delivered twice: the first delete is lost.
        loseDelete: (body) => body.includes('"instance":"mysql-1"') && !seen.has(body) && seen.add(body) !== undefined,
      },
      instances: (ctx) => [
        busyFirstHourPostgres(ctx, "pg-big", 20_000),
        { id: "mysql-1", models: [mysqlHourly(ctx, "mysql-1"), mysqlAudit(ctx, "mysql-1", 4 * HOUR, 2)] },
        auroraMember(ctx, "aurora-1", "aurora"),
        auroraMember(ctx, "aurora-2", "aurora"),
      ],
    });
    const stage = sim.fanOut!;
    try {
      sim.advanceTo(sim.now + HOUR + 10 * MINUTE);
      // 1. Workers killed as the big file's upload reaches S3.
      let killing: Promise<unknown> | undefined;
      sim.s3.onRequest = (r) => {
        if (!killing && r.method === "PUT" && r.path.includes("postgresql.log.2024-10-01-00")) {
          killing = Promise.all(stage.workers.hosts.filter((h) => h.busy).map((h) => h.kill("SIGKILL")));
        }
      };
      const first = await sim.sync();
      await killing;
      sim.s3.onRequest = undefined;
      assert.ok(first.crashes.length >= 1, "a worker died mid-copy");

      // 2. Ticks every 15 minutes; one dispatched twice, one late tick on top.
      for (let i = 0; i < 8; i++) {
        sim.advanceTo(sim.now + 15 * MINUTE);
        if (i === 2) await stage.dispatch(iso(sim.now));
        if (i === 4) await stage.dispatch(iso(sim.now - 15 * MINUTE));
        await sim.sync();
      }
      for (const m of sim.models()) m.quiesce();
      for (const m of sim.models()) m.closeActive();
      sim.advanceTo(sim.now + 2 * HOUR);
      await sim.sync();
      await sim.sync();

      const result = await sim.result("fan-out (serialized workers)", { startedAt });
      assertExactlyOnce(result, { minRequired: 10_000 });
      assert.ok(result.failures.every((f) => f.includes("host exited")), result.failures.join("\n"));
      // Each instance's messages were processed one at a time; some more than once.
      const deliveries = new Map<string, number>();
      for (const run of stage.runs) for (const body of run.bodies) deliveries.set(body, (deliveries.get(body) ?? 0) + 1);
      assert.ok([...deliveries].some(([body, n]) => n >= 2 && body.includes("mysql-1")), "a message delivered twice");
      assert.deepEqual(overlappingRuns(stage.runs).map(([a, b]) => [a.groups, b.groups]), [], "two workers on one instance at once");
      assert.ok(Math.max(...stage.runs.map((r) => r.endedAt!)) > 0 && new Set(stage.runs.map((r) => r.groups[0])).size === 4);
      assert.equal(stage.queue.size, 0);
      assert.equal(stage.deadLetterQueue.size, 0);
      // Nothing partial is visible: the big file's object, if any, is whole.
      const big = (await sim.s3.listAll(BUCKET, { prefix: "pg-big/" })).filter((o) => o.key.includes("2024-10-01-00"));
      assert.equal(big.length, 1);
    } finally {
      await sim.stop();
    }
  });
});
