// The dispatcher and the worker as `pulumi up` ships them (serialized, in host processes), against FakeRds,
// LocalS3 and the FIFO fake: one message per instance, deduplicated per tick; each instance synced by one worker;
// a gone instance dropped; an unreadable message returned, with every later one of its batch.
import * as assert from "node:assert/strict";
import { encodeMessage } from "../../archiver/fan-out/message";
import { DEFAULTS, type SyncSettings } from "../../archiver/settings";
import type { BatchResponse } from "../../archiver/fan-out/batch-outcome";
import { lambdaEventOf } from "../../local-aws/event-source-mapping";
import { FakeRds } from "../../local-aws/fake-rds";
import { LocalS3 } from "../../local-aws/local-s3";
import { FanOutStage } from "./stage";

const BUCKET = "fan-out-test";
const T0 = Date.UTC(2024, 9, 1, 0, 0);
// The ids of the fan-out stack the packages come from (test/program/all-options.ts).
const SETTINGS: SyncSettings = {
  bucket: BUCKET, instances: ["prod-rds", "reporting-rds"], clusters: ["orders-aurora"], include: [], concurrency: 4, activeRefreshMinutes: 0,
  connectTimeoutSeconds: DEFAULTS.connectTimeoutSeconds, readTimeoutSeconds: DEFAULTS.readTimeoutSeconds, dryRun: false,
};
const MEMBERS = ["orders-aurora-1", "orders-aurora-2"];

describe("fan-out (serialized): dispatcher -> FIFO queue -> workers", function () {
  this.timeout(240_000);
  let rds: FakeRds;
  let s3: LocalS3;
  let stage: FanOutStage;

  before(async () => {
    rds = await FakeRds.start();
    s3 = await LocalS3.start({ buckets: [BUCKET] });
    for (const id of [...SETTINGS.instances, ...MEMBERS]) {
      rds.addInstance(id);
      for (let h = 0; h < 3; h++) {
        rds.putFile(id, { name: `error/postgresql.log.2024-10-01-0${h}`, lastWritten: T0 + (h + 1) * 3_600_000, content: Buffer.from(`${id} hour ${h}\n`) });
      }
    }
    rds.setCluster("orders-aurora", MEMBERS);
    stage = await FanOutStage.start({ rds, s3, settings: SETTINGS, workerConcurrency: 3 });
  });
  after(async () => {
    await stage?.stop();
    await rds?.stop();
    await s3?.stop();
  });

  it("sends one message per instance, grouped by instance; the same tick again adds nothing", async () => {
    const first = await stage.dispatch("2024-10-01T04:00:00Z");
    assert.deepEqual([first.instances, first.sent, first.notSent, first.errors], [4, 4, [], []]);
    await stage.dispatch("2024-10-01T04:00:00Z");
    const bodies = stage.queue.bodies().map((b) => JSON.parse(b));
    assert.deepEqual(
      bodies.map((b) => [b.instance, b.group, b.tick]).sort(),
      [["orders-aurora-1", "orders-aurora", "2024-10-01T04:00:00Z"], ["orders-aurora-2", "orders-aurora", "2024-10-01T04:00:00Z"],
        ["prod-rds", "prod-rds", "2024-10-01T04:00:00Z"], ["reporting-rds", "reporting-rds", "2024-10-01T04:00:00Z"]],
    );
    assert.equal(rds.requests.filter((r) => r.action === "DescribeDBClusters").length, 2, "one cluster lookup per tick");
  });

  it("workers sync each instance once, under its group, with no cluster lookup of their own", async () => {
    rds.requests.length = 0;
    const stats = await stage.drain();
    assert.equal(stage.queue.size, 0);
    assert.equal(stats.invocations, 4);
    assert.ok(stats.peakConcurrency >= 2, `${stats.peakConcurrency} at once`);
    const keys = (await s3.listAll(BUCKET)).map((o) => o.key).filter((k) => !k.startsWith("_state/"));
    assert.equal(keys.length, 12, keys.join("\n"));
    for (const m of MEMBERS) assert.equal(keys.filter((k) => k.startsWith(`orders-aurora/error/`) && k.includes(`/${m}/`)).length, 3);
    assert.equal(rds.requests.filter((r) => r.action === "DescribeDBClusters").length, 0);
    assert.deepEqual(stage.runs.map((r) => r.response), stage.runs.map(() => ({ batchItemFailures: [] })));
  });

  it("drops a message for an instance RDS no longer has, reporting it; returns an unreadable one with the rest of its batch", async () => {
    rds.removeInstance("orders-aurora-2");
    const gone = { body: encodeMessage({ instance: "orders-aurora-2", group: "orders-aurora", tick: "2024-10-01T04:15:00Z" }), groupId: "orders-aurora-2", deduplicationId: "gone" };
    stage.queue.send(gone);
    const [message] = stage.queue.receive(1);
    const invocation = await stage.workers.invoke<BatchResponse>(lambdaEventOf([message], { queueArn: "arn" }));
    assert.deepEqual(invocation.result, { batchItemFailures: [] });
    assert.ok(invocation.logs.some((l) => l.includes("instance gone; message dropped") && l.includes("DBInstanceNotFound")), invocation.logs.join("\n"));
    assert.ok(invocation.logs.some((l) => l.includes('"InstancesGone":1')));
    stage.queue.delete(message.receiptHandle);

    stage.queue.send({ body: "not a message", groupId: "g1", deduplicationId: "bad" });
    stage.queue.send({ body: encodeMessage({ instance: "prod-rds", group: "prod-rds", tick: "2024-10-01T04:15:00Z" }), groupId: "prod-rds", deduplicationId: "after" });
    const batch = stage.queue.receive(10);
    const answer = await stage.workers.call<BatchResponse>(lambdaEventOf(batch, { queueArn: "arn" }));
    assert.deepEqual(answer.batchItemFailures.map((f) => f.itemIdentifier), batch.map((m) => m.messageId));
    stage.queue.advanceClock(6 * 900_000);
    for (const m of stage.queue.receive(10)) stage.queue.delete(m.receiptHandle);
  });

  it("near its deadline a worker starts no copy, and returns the messages it did not start", async () => {
    rds.putFile("prod-rds", { name: "error/postgresql.log.2024-10-01-03", lastWritten: T0 + 4 * 3_600_000, content: Buffer.from("late\n") });
    rds.putFile("prod-rds", { name: "error/postgresql.log.2024-10-01-04", lastWritten: T0 + 5 * 3_600_000, content: Buffer.from("later\n") });
    const body = (tick: string, instance = "prod-rds") => encodeMessage({ instance, group: instance, tick });
    stage.queue.send({ body: body("2024-10-01T05:00:00Z"), groupId: "prod-rds", deduplicationId: "near-1" });
    stage.queue.send({ body: body("2024-10-01T05:00:00Z", "reporting-rds"), groupId: "reporting-rds", deduplicationId: "near-2" });
    const batch = stage.queue.receive(10);
    assert.equal(batch.length, 2);
    // 45 s left: both messages are worked on (more than twice the 15 s stop margin), but a copy needs a minute: deferred.
    const near = await stage.workers.invoke<BatchResponse>(lambdaEventOf(batch, { queueArn: "arn" }), { remainingMs: 45_000 });
    assert.ok(near.logs.some((l) => l.includes('"message":"deferred"') && l.includes("postgresql.log.2024-10-01-03")), near.logs.join("\n"));
    assert.deepEqual(near.result, { batchItemFailures: [] });
    for (const m of batch) stage.queue.delete(m.receiptHandle);
    // 20 s left: neither is started; both go back to the queue.
    stage.queue.send({ body: body("2024-10-01T05:05:00Z"), groupId: "prod-rds", deduplicationId: "near-3" });
    stage.queue.send({ body: body("2024-10-01T05:05:00Z", "reporting-rds"), groupId: "reporting-rds", deduplicationId: "near-4" });
    const late = stage.queue.receive(10);
    assert.equal(late.length, 2);
    const answer = await stage.workers.invoke<BatchResponse>(lambdaEventOf(late, { queueArn: "arn" }), { remainingMs: 20_000 });
    assert.deepEqual(answer.result?.batchItemFailures.map((f) => f.itemIdentifier), late.map((m) => m.messageId));
    assert.ok(!answer.logs.some((l) => l.includes('"message":"copied"')));
  });
});
