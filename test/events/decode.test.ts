import { strict as assert } from "assert";
import { gzipSync } from "zlib";
import { batchObjects, decodeSubscription, validEvents } from "../../archiver/log-subscriptions/decode";
import { eventKey } from "../../archiver/layout/event-key";
import { eventSourceId, parseRdsEvent } from "../../archiver/rds-events/rds-event";
import { emfLine, syncMetricLines } from "../../archiver/metrics/emf";
import type { SyncReport } from "../../archiver/report";
import { dataMessage, rdsEvent, subscriptionEvent, T } from "./fixtures";

describe("CloudWatch Logs subscription decoding", () => {
  it("decodes a real-shaped DATA_MESSAGE and keeps every event as one JSON line", () => {
    const events = [
      { id: "3195310660696698337880902507980421114328961542429822156", timestamp: T, message: "ERROR: relation \"注文\" does not exist" },
      { id: "3195310660696698337880902507980421114328961542429822157", timestamp: T + 1, message: "multi\nline\nstatement" },
    ];
    const decoded = decodeSubscription(subscriptionEvent(dataMessage(events)));
    assert.ok("ok" in decoded);
    const { good, bad } = validEvents(decoded.ok);
    assert.equal(bad.length, 0);
    const [object] = batchObjects(decoded.ok, good);
    assert.equal(object.key, `cloudwatch/aws/rds/instance/prod-rds/error/2024/10/01/12/prod-rds-${events[0].id}.gz`);
    assert.deepEqual(object.body.trimEnd().split("\n").map((l) => JSON.parse(l)), events);
  });

  it("names the problem with malformed base64, a body that is not gzip, and JSON that is not a batch", () => {
    assert.match((decodeSubscription({ awslogs: { data: "not base64!!" } }) as { error: string }).error, /base64/);
    assert.match((decodeSubscription({ awslogs: { data: Buffer.from("plain text").toString("base64") } }) as { error: string }).error, /not gzip/);
    assert.match((decodeSubscription({ awslogs: { data: gzipSync("{oops").toString("base64") } }) as { error: string }).error, /not JSON/);
    assert.match((decodeSubscription(subscriptionEvent({ logEvents: [] })) as { error: string }).error, /messageType/);
    assert.match((decodeSubscription({ something: 1 }) as { error: string }).error, /awslogs\.data/);
    assert.match((decodeSubscription(subscriptionEvent(dataMessage("x" as unknown as unknown[]))) as { error: string }).error, /logEvents/);
  });

  it("passes CONTROL_MESSAGE and empty batches through without objects", () => {
    const control = decodeSubscription(subscriptionEvent({ messageType: "CONTROL_MESSAGE", logGroup: "", logStream: "", logEvents: [] }));
    assert.ok("ok" in control && control.ok.messageType === "CONTROL_MESSAGE");
    const empty = decodeSubscription(subscriptionEvent(dataMessage([])));
    assert.ok("ok" in empty);
    assert.deepEqual(batchObjects(empty.ok, validEvents(empty.ok).good), []);
  });

  it("keeps the good events of a batch that holds malformed ones", () => {
    const decoded = decodeSubscription(subscriptionEvent(dataMessage([{ id: "1", timestamp: T, message: "ok" }, { id: "2", message: "no time" }, null])));
    assert.ok("ok" in decoded);
    const { good, bad } = validEvents(decoded.ok);
    assert.deepEqual(good.map((e) => e.id), ["1"]);
    assert.deepEqual(bad.map((b) => [b.index, b.error]), [[1, "no numeric timestamp"], [2, "not an object"]]);
  });

  it("splits an oversized batch into objects keyed by their own first event, losing none", () => {
    const events = Array.from({ length: 25 }, (_, i) => ({ id: `e${i}`, timestamp: T + i * 600_000, message: "x".repeat(100) }));
    const decoded = decodeSubscription(subscriptionEvent(dataMessage(events)));
    assert.ok("ok" in decoded);
    const objects = batchObjects(decoded.ok, validEvents(decoded.ok).good, { maxEvents: 10, maxBytes: 1_000_000 });
    assert.deepEqual(objects.map((o) => o.events), [10, 10, 5]);
    assert.deepEqual(objects.map((o) => o.key.split("/").pop()), ["prod-rds-e0.gz", "prod-rds-e10.gz", "prod-rds-e20.gz"]);
    assert.equal(objects[1].key, "cloudwatch/aws/rds/instance/prod-rds/error/2024/10/01/14/prod-rds-e10.gz");
    const bySize = batchObjects(decoded.ok, validEvents(decoded.ok).good, { maxEvents: 1000, maxBytes: 1_000 });
    assert.equal(bySize.reduce((n, o) => n + o.events, 0), 25);
    assert.ok(bySize.every((o) => Buffer.byteLength(o.body) <= 1_000));
  });
});

describe("RDS events", () => {
  it("files an event under its own time and id, the same key on every retry", () => {
    const parsed = parseRdsEvent(rdsEvent);
    assert.ok("ok" in parsed);
    assert.equal(eventKey(parsed.ok), "events/2024/10/01/19/12a345b6-78c9-01d2-34e5-123f4ghi5j6k.json");
    assert.equal(eventKey(parsed.ok), eventKey((parseRdsEvent(JSON.parse(JSON.stringify(rdsEvent))) as { ok: typeof parsed.ok }).ok));
    assert.equal(eventSourceId(parsed.ok), "prod-rds");
  });

  it("refuses events without an id, a time or the aws.rds source", () => {
    assert.match((parseRdsEvent({ ...rdsEvent, id: "" }) as { error: string }).error, /no id/);
    assert.match((parseRdsEvent({ ...rdsEvent, time: "yesterday" }) as { error: string }).error, /time/);
    assert.match((parseRdsEvent({ ...rdsEvent, source: "aws.ec2" }) as { error: string }).error, /aws\.ec2/);
    assert.match((parseRdsEvent("text") as { error: string }).error, /not a JSON object/);
  });
});

describe("embedded metrics", () => {
  it("writes EMF with the namespace, dimensions and values", () => {
    const line = JSON.parse(emfLine({ Stage: "live" }, { Rejected: { value: 2, unit: "Count" } }, T));
    assert.deepEqual(line._aws, {
      Timestamp: T,
      CloudWatchMetrics: [{ Namespace: "RdsLogArchiver", Dimensions: [["Stage"]], Metrics: [{ Name: "Rejected", Unit: "Count" }] }],
    });
    assert.equal(line.Stage, "live");
    assert.equal(line.Rejected, 2);
  });

  it("reports copies, failures and archive lag per stage and per instance", () => {
    const report = {
      ok: false,
      errors: [{ target: "ghost", code: "DBClusterNotFoundFault", message: "" }],
      totals: { listed: 3, copied: 1, skipped: 1, deferred: 0, failed: 1, bytesRead: 10, bytesWritten: 4 },
      instances: [
        { instance: "db1", copied: [{}], deferred: [], failed: [{}], bytesRead: 10, oldestUnarchived: T - 7_200_000 },
        { instance: "db2", copied: [], deferred: [], failed: [], bytesRead: 0 },
      ],
    } as unknown as SyncReport;
    const [stage, db1, db2] = syncMetricLines(report, "live", T).map((l) => JSON.parse(l));
    assert.equal(stage.Failures, 2);
    assert.equal(stage.SuccessfulRuns, 0);
    assert.equal(stage.ArchiveLagSeconds, 7200);
    assert.deepEqual([db1.Instance, db1.FilesCopied, db1.Failures, db1.ArchiveLagSeconds], ["db1", 1, 1, 7200]);
    assert.deepEqual([db2.Instance, db2.ArchiveLagSeconds], ["db2", 0]);
    assert.deepEqual(db1._aws.CloudWatchMetrics[0].Dimensions, [["Stage", "Instance"]]);
  });
});
