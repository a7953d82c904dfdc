import assert from "node:assert/strict";
import fc from "fast-check";
import { batchResponse, type RecordResult } from "../../archiver/fan-out/batch-outcome";
import { batchesOf, batchSpacingMs, MAX_SPREAD_MS, MESSAGES_PER_SECOND, messagesFor, sendAll } from "../../archiver/fan-out/dispatch";
import {
  decodeMessage,
  deduplicationId,
  encodeMessage,
  MAX_DEDUPLICATION_ID_LENGTH,
  scheduleTick,
} from "../../archiver/fan-out/message";
import { identifierProblem } from "../../archiver/rds-identifier";
import type { BatchEntry, BatchResult } from "../../archiver/fan-out/sqs-send";

const identifier = fc
  .stringMatching(/^[a-z][a-z0-9-]{0,62}$/)
  .filter((s) => identifierProblem(s) === undefined);
const tick = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) })
  .map((ms) => new Date(ms - (ms % 1000)).toISOString().replace(".000Z", "Z"));
const message = fc.record({ instance: identifier, group: identifier, tick }).map((m) => ({ ...m }));

describe("fan-out/message", () => {
  it("decodes what it encodes", () => {
    fc.assert(fc.property(message, (m) => assert.deepEqual(decodeMessage(encodeMessage(m)), { message: m })));
  });

  it("refuses, with a reason and without throwing, what is not a message of this version", () => {
    for (const body of ["", "{", "[]", "null", '{"v":2,"instance":"a","group":"a","tick":"2024-10-01T00:00:00Z"}',
      '{"v":1,"instance":"A","group":"a","tick":"2024-10-01T00:00:00Z"}', '{"v":1,"instance":"a","tick":"2024-10-01T00:00:00Z"}',
      '{"v":1,"instance":"a","group":"a","tick":"yesterday"}', '{"v":1,"instance":"a","group":"a","tick":"2024-10-01T00:00:00.500Z"}']) {
      const decoded = decodeMessage(body);
      assert.ok("problem" in decoded && decoded.problem.length > 0, body);
    }
    fc.assert(fc.property(fc.string(), (body) => void decodeMessage(body)));
  });

  it("a tick is EventBridge's time to the second; the same time gives the same tick", () => {
    assert.equal(scheduleTick("2024-10-01T00:15:00Z"), "2024-10-01T00:15:00Z");
    assert.equal(scheduleTick("2024-10-01T00:15:00.734Z"), "2024-10-01T00:15:00Z");
    for (const bad of [undefined, 12, "", "2024-10-01", "2024-13-01T00:00:00Z", "2024-10-01T00:15:00+02:00"]) assert.equal(scheduleTick(bad), undefined, String(bad));
    fc.assert(fc.property(tick, (t) => assert.equal(scheduleTick(t), t)));
  });

  it("deduplication ids: equal for the same instance and tick, distinct otherwise, within SQS's length and alphabet", () => {
    // The second tick is near the first (same second to an hour away, or anywhere): neighbouring ticks must differ.
    const near = fc.oneof(fc.integer({ min: -3600, max: 3600 }), fc.constant(0), fc.integer({ min: -1e9, max: 1e9 }));
    fc.assert(
      fc.property(identifier, tick, identifier, near, (i1, t1, other, delta) => {
        const t2 = new Date(Date.parse(t1) + delta * 1000).toISOString().replace(".000Z", "Z");
        const i2 = delta % 2 === 0 ? i1 : other;
        const a = deduplicationId(i1, t1);
        const b = deduplicationId(i2, t2);
        assert.equal(a === b, i1 === i2 && t1 === t2);
        for (const id of [a, b]) {
          assert.ok(id.length <= MAX_DEDUPLICATION_ID_LENGTH, id);
          assert.match(id, /^[!-~]+$/);
        }
      }),
    );
  });
});

describe("fan-out/dispatch", () => {
  const targets = (n: number) => Array.from({ length: n }, (_, i) => ({ instance: `db-${i}`, group: i % 2 ? "cluster-a" : `db-${i}` }));
  const retry = { attempts: 4, baseDelayMs: 0, maxDelayMs: 0 };

  it("one message per instance, grouped by instance, in batches of at most ten", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 95 }), (n) => {
        const messages = messagesFor(targets(n), "2024-10-01T00:15:00Z");
        assert.deepEqual(messages.map((m) => m.MessageGroupId), targets(n).map((t) => t.instance));
        const batches = batchesOf(messages);
        assert.ok(batches.every((b) => b.length >= 1 && b.length <= 10));
        assert.deepEqual(batches.flat(), messages);
      }),
    );
  });

  it("spreads a tick's batches at the target rate, and a large fleet's within the longest spread", () => {
    assert.equal(batchSpacingMs(10), 0);
    fc.assert(
      fc.property(fc.integer({ min: 11, max: 100_000 }), (n) => {
        const spacing = batchSpacingMs(n);
        const batches = Math.ceil(n / 10);
        assert.ok(spacing * (batches - 1) <= MAX_SPREAD_MS, `${n}: ${spacing} ms`);
        assert.ok(10_000 / spacing >= MESSAGES_PER_SECOND - 0.01, `${n}: faster than needed is fine, slower is not`);
        if (n <= (MESSAGES_PER_SECOND * MAX_SPREAD_MS) / 1000) assert.ok(10_000 / spacing <= MESSAGES_PER_SECOND + 0.01, `${n}: ${spacing} ms`);
      }),
    );
  });

  it("sends again only the entries SQS failed without a sender fault, and reports the rest by instance", async () => {
    const attempts = new Map<string, number>();
    const send = async (entries: BatchEntry[]): Promise<BatchResult> => {
      const result: BatchResult = { Successful: [], Failed: [] };
      for (const e of entries) {
        const n = (attempts.get(e.MessageGroupId) ?? 0) + 1;
        attempts.set(e.MessageGroupId, n);
        if (e.MessageGroupId === "db-3") result.Failed.push({ Id: e.Id, SenderFault: true, Code: "InvalidParameterValue" });
        else if (e.MessageGroupId === "db-5" && n < 3) result.Failed.push({ Id: e.Id, SenderFault: false, Code: "InternalError" });
        else if (e.MessageGroupId === "db-7") result.Failed.push({ Id: e.Id, SenderFault: false, Code: "InternalError" });
        else result.Successful.push({ Id: e.Id });
      }
      return result;
    };
    const outcome = await sendAll(messagesFor(targets(12), "2024-10-01T00:15:00Z"), send, retry);
    assert.equal(outcome.sent, 10);
    assert.deepEqual(outcome.failed.map((f) => [f.instance, f.code]), [["db-3", "InvalidParameterValue"], ["db-7", "InternalError"]]);
    assert.equal(attempts.get("db-0"), 1);
    assert.equal(attempts.get("db-3"), 1);
    assert.equal(attempts.get("db-5"), 3);
    assert.equal(attempts.get("db-7"), 4);
  });

  it("a throttled batch is sent again whole; a refused one fails every entry", async () => {
    let calls = 0;
    const throttledOnce = async (entries: BatchEntry[]): Promise<BatchResult> => {
      if (calls++ === 0) throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
      return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
    };
    assert.deepEqual(await sendAll(messagesFor(targets(3), "2024-10-01T00:15:00Z"), throttledOnce, retry), { sent: 3, failed: [], requests: 2 });
    const refused = async (): Promise<BatchResult> => {
      throw Object.assign(new Error("no such queue"), { name: "QueueDoesNotExist" });
    };
    const outcome = await sendAll(messagesFor(targets(3), "2024-10-01T00:15:00Z"), refused, retry);
    assert.deepEqual(outcome.failed.map((f) => f.code), ["QueueDoesNotExist", "QueueDoesNotExist", "QueueDoesNotExist"]);
  });
});

describe("fan-out/batch-outcome", () => {
  it("from the first message not done on, every message of the batch is a failure, in order", () => {
    const result = fc.constantFrom<RecordResult>("done", "failed", "not-started");
    fc.assert(
      fc.property(fc.array(result, { maxLength: 10 }), (results) => {
        const records = results.map((_, n) => ({ messageId: `m${n}` }));
        const failures = batchResponse(records, results).batchItemFailures.map((f) => f.itemIdentifier);
        const first = results.findIndex((r) => r !== "done");
        assert.deepEqual(failures, first < 0 ? [] : records.slice(first).map((r) => r.messageId));
      }),
    );
  });
});
