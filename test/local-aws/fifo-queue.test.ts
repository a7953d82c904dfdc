import assert from "node:assert/strict";
import { createClients } from "../../archiver/aws-clients";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { sqsBatchSender } from "../../archiver/fan-out/sqs-send";
import { EventSourceMapping, type SqsLambdaEvent } from "../../local-aws/event-source-mapping";
import { DEDUPLICATION_INTERVAL_MS, FifoQueue } from "../../local-aws/fifo-queue";
import { FakeSqs } from "../../local-aws/fake-sqs";
import { signedRequest, readResponse } from "../../local-aws/sigv4";

const VISIBILITY = 60_000;

function queues(maxReceiveCount = 3) {
  let t = Date.UTC(2024, 9, 1);
  const now = () => t;
  const dlq = new FifoQueue({ name: "dlq.fifo", visibilityTimeoutMs: VISIBILITY, now });
  const queue = new FifoQueue({ name: "work.fifo", visibilityTimeoutMs: VISIBILITY, redrive: { deadLetterQueue: dlq, maxReceiveCount }, now });
  return { queue, dlq, tick: (ms: number) => void (t += ms) };
}

const send = (q: FifoQueue, body: string, groupId: string, deduplicationId = body) => q.send({ body, groupId, deduplicationId });
const bodies = (ms: { body: string }[]) => ms.map((m) => m.body);

describe("local-aws/FifoQueue", () => {
  it("delivers in order, one group at a time: a group with a message in flight delivers nothing more", () => {
    const { queue } = queues();
    send(queue, "a1", "a");
    send(queue, "a2", "a");
    send(queue, "b1", "b");
    const first = queue.receive(1);
    assert.deepEqual(bodies(first), ["a1"]);
    assert.deepEqual(bodies(queue.receive(10)), ["b1"], "a is in flight");
    assert.deepEqual(queue.receive(10), [], "both groups in flight");
    assert.ok(queue.delete(first[0].receiptHandle));
    assert.deepEqual(bodies(queue.receive(10)), ["a2"]);
  });

  it("one receive may take several messages of a group, in their order", () => {
    const { queue } = queues();
    for (const body of ["a1", "b1", "a2", "a3"]) send(queue, body, body[0]);
    assert.deepEqual(bodies(queue.receive(10)), ["a1", "b1", "a2", "a3"]);
    assert.throws(() => queue.receive(11), /MaxNumberOfMessages/);
    assert.throws(() => queue.receive(0), /MaxNumberOfMessages/);
  });

  it("a message not deleted within its visibility timeout is delivered again, and the old receipt handle is dead", () => {
    const { queue, tick } = queues();
    send(queue, "a1", "a");
    const [m] = queue.receive();
    tick(VISIBILITY - 1);
    assert.deepEqual(queue.receive(), [], "still in flight");
    tick(1);
    const [again] = queue.receive();
    assert.equal(again.messageId, m.messageId);
    assert.equal(again.attributes.ApproximateReceiveCount, "2");
    assert.equal(queue.delete(m.receiptHandle), false);
    assert.ok(queue.delete(again.receiptHandle));
    assert.equal(queue.size, 0);
  });

  it("drops a message whose deduplication id it saw within five minutes, and accepts it after", () => {
    const { queue, tick } = queues();
    const first = send(queue, "a1", "a", "d");
    const repeat = send(queue, "a1 again", "a", "d");
    assert.equal(repeat.duplicate, true);
    assert.equal(repeat.messageId, first.messageId);
    assert.deepEqual(queue.bodies(), ["a1"]);
    // Even once deleted: the interval counts from the first send.
    assert.ok(queue.delete(queue.receive()[0].receiptHandle));
    tick(DEDUPLICATION_INTERVAL_MS - 1);
    assert.equal(send(queue, "a1", "a", "d").duplicate, true);
    tick(1);
    assert.equal(send(queue, "a1", "a", "d").duplicate, false);
    assert.equal(queue.size, 1);
  });

  it("moves a message received maxReceiveCount times to the dead-letter queue instead of delivering it again", () => {
    const { queue, dlq, tick } = queues(2);
    send(queue, "poison", "a");
    send(queue, "next", "a");
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(bodies(queue.receive(1)), ["poison"]);
      tick(VISIBILITY);
    }
    assert.deepEqual(bodies(queue.receive(1)), ["next"], "the group goes on once the poison is moved");
    assert.deepEqual(dlq.bodies(), ["poison"]);
    assert.equal(dlq.movedIn.length, 1);
  });

  it("reports the age of its oldest message and when the next in-flight one becomes visible", () => {
    const { queue, tick } = queues();
    send(queue, "a1", "a");
    tick(5_000);
    assert.equal(queue.ageOfOldestMessageMs(), 5_000);
    queue.receive();
    assert.equal(queue.nextVisibleAt(), queue.now() + VISIBILITY);
  });
});

describe("local-aws/EventSourceMapping", () => {
  const arn = "arn:aws:sqs:us-east-1:123456789012:work.fifo";

  it("deletes what a partial batch response does not name; a throw or a foreign id returns the whole batch", async () => {
    const cases: [string, (e: SqsLambdaEvent) => unknown, string[]][] = [
      ["the second failed", (e) => ({ batchItemFailures: [{ itemIdentifier: e.Records[1].messageId }] }), ["a2"]],
      ["none failed", () => ({ batchItemFailures: [] }), []],
      ["no answer", () => undefined, []],
      ["a foreign id", () => ({ batchItemFailures: [{ itemIdentifier: "not-in-the-batch" }] }), ["a1", "a2", "a3"]],
      ["a throw", () => Promise.reject(new Error("died")), ["a1", "a2", "a3"]],
    ];
    for (const [what, answer, left] of cases) {
      const { queue } = queues(100);
      for (const body of ["a1", "a2", "a3"]) send(queue, body, "a");
      const events: SqsLambdaEvent[] = [];
      const mapping = new EventSourceMapping(queue, async (e) => (events.push(e), answer(e)), { batchSize: 3, maximumConcurrency: 2, queueArn: arn });
      assert.ok(await mapping.pollOnce());
      assert.deepEqual(events[0].Records.map((r) => [r.body, r.eventSource, r.eventSourceARN, r.attributes.MessageGroupId]), [
        ["a1", "aws:sqs", arn, "a"], ["a2", "aws:sqs", arn, "a"], ["a3", "aws:sqs", arn, "a"],
      ]);
      assert.deepEqual(queue.bodies(), left, what);
    }
  });

  it("drains with at most maximumConcurrency invocations, never two of one group at once, and outwaits a dead one", async () => {
    const { queue } = queues(5);
    for (let i = 0; i < 20; i++) send(queue, `g${i % 5}-${i}`, `g${i % 5}`);
    const busy = new Set<string>();
    let running = 0;
    let peak = 0;
    let died = false;
    const processed: string[] = [];
    const mapping = new EventSourceMapping(queue, async (e) => {
      const group = e.Records[0].attributes.MessageGroupId;
      assert.ok(!busy.has(group), `two invocations of ${group} at once`);
      busy.add(group);
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
      busy.delete(group);
      if (!died && group === "g2") {
        died = true;
        throw new Error("the container was killed");
      }
      processed.push(...e.Records.map((r) => r.body));
      return { batchItemFailures: [] };
    }, { batchSize: 1, maximumConcurrency: 3, queueArn: arn });
    const stats = await mapping.drain();
    assert.equal(queue.size, 0);
    assert.ok(peak <= 3 && stats.peakConcurrency <= 3, `peak ${peak}`);
    assert.equal(stats.failedInvocations, 1);
    assert.ok(stats.visibilityWaits >= 1);
    assert.equal(processed.length, 20);
    for (let g = 0; g < 5; g++) {
      const order = processed.filter((b) => b.startsWith(`g${g}-`));
      assert.deepEqual(order, [...order].sort((x, y) => Number(x.split("-")[1]) - Number(y.split("-")[1])), `group g${g} in order`);
    }
  });
});

describe("local-aws/FakeSqs", () => {
  let sqs: FakeSqs;
  before(async () => {
    sqs = await FakeSqs.start();
  });
  after(() => sqs.stop());

  it("takes signed SendMessageBatch requests from the archiver's sender, refuses unsigned ones, and injects faults", async () => {
    const { url, queue } = sqs.createQueue({ name: "http.fifo", visibilityTimeoutMs: VISIBILITY });
    const env = { AWS_REGION: sqs.region, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_ENDPOINT_URL_SQS: sqs.endpoint };
    const send = sqsBatchSender(await createClients(loadAwsSdk(), env), env, url);
    const entry = (n: number) => ({ Id: String(n), MessageBody: `m${n}`, MessageGroupId: `g${n}`, MessageDeduplicationId: `d${n}` });
    const ok = await send([entry(0), entry(1)]);
    assert.deepEqual(ok.Successful.map((s) => s.Id), ["0", "1"]);
    assert.deepEqual(queue.bodies(), ["m0", "m1"]);

    sqs.failNext({ kind: "entry-failure", times: 1 });
    const partial = await send([entry(2), entry(3)]);
    assert.deepEqual(partial.Failed.map((f) => [f.Id, f.SenderFault]), [["2", false]]);

    sqs.failNext({ kind: "throttle", times: 1 });
    await assert.rejects(send([entry(4)]), (err: Error) => err.name === "ThrottlingException");

    await assert.rejects(send(Array.from({ length: 11 }, (_, n) => entry(n + 10))), (err: Error) => err.name === "TooManyEntriesInBatchRequest");

    const unsigned = await readResponse(await signedRequest(sqs.endpoint, "/", {
      method: "POST", credentials: { accessKeyId: "S3RVER", secretAccessKey: "wrong" }, region: sqs.region, service: "sqs",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessageBatch" },
      body: Buffer.from(JSON.stringify({ QueueUrl: url, Entries: [entry(30)] })),
    }));
    assert.equal(unsigned.status, 403);
    assert.match(unsigned.body.toString(), /SignatureDoesNotMatch/);
    assert.deepEqual(queue.bodies(), ["m0", "m1", "m3"]);
  });
});
