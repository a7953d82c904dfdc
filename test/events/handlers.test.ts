import { strict as assert } from "assert";
import { gzipSync } from "zlib";
import { createLogSubscriptionHandler, createRdsEventsHandler } from "../../archiver";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { BUCKET, startHarness, type Harness } from "../engine/harness";
import { assertEmfDocument, assertPowertoolsRecord } from "../engine/log-lines";
import { dataMessage, rdsEvent, subscriptionEvent, T } from "./fixtures";

describe("RDS events and log subscription handlers against s3rver", function () {
  let h: Harness;
  let env: NodeJS.ProcessEnv;
  const originalWrite = process.stdout.write;
  let logged: string[];
  beforeEach(async () => {
    h = await startHarness();
    env = { ...h.env, ARCHIVE_BUCKET: BUCKET, RDS_INSTANCES: "prod-rds", RDS_CLUSTERS: "prod-aurora", ARCHIVE_STAGE: "live" };
    logged = [];
    // The functions write their lines straight to stdout, as Lambda's JSON log format needs.
    // (Mocha's own lines, which are not JSON, still reach the terminal.)
    process.stdout.write = ((chunk: string) => {
      if (!String(chunk).startsWith("{")) return originalWrite.call(process.stdout, chunk);
      logged.push(...String(chunk).split("\n").filter((l) => l.length > 0));
      return true;
    }) as typeof process.stdout.write;
  });
  afterEach(async () => {
    process.stdout.write = originalWrite;
    await h.stop();
  });

  const objects = async () => (await h.s3.listAll(BUCKET)).map((o) => o.key).sort();

  it("archives an event once however often EventBridge delivers it", async () => {
    const handler = createRdsEventsHandler(loadAwsSdk(), env);
    assert.deepEqual(await handler(rdsEvent), { status: "archived", key: "events/2024/10/01/19/12a345b6-78c9-01d2-34e5-123f4ghi5j6k.json" });
    await handler(rdsEvent);
    assert.deepEqual(await objects(), ["events/2024/10/01/19/12a345b6-78c9-01d2-34e5-123f4ghi5j6k.json"]);
    assert.deepEqual(JSON.parse(await h.s3.getText(BUCKET, (await objects())[0])), rdsEvent);
    assert.equal(logged.map((l) => JSON.parse(l)).filter((m) => m.EventsArchived === 1 && m.Stage === "live").length, 2);
    const records = logged.filter((l) => !l.startsWith('{"_aws"')).map(assertPowertoolsRecord);
    assert.deepEqual(records.map((r) => [r.level, r.message]), [["INFO", "archived"], ["INFO", "archived"]]);
    logged.filter((l) => l.startsWith('{"_aws"')).forEach(assertEmfDocument);
  });

  it("counts an event of log files Aurora deleted before they were shipped in FilesLost, and no other event", async () => {
    const handler = createRdsEventsHandler(loadAwsSdk(), env);
    const deleted = { ...rdsEvent, id: "log-storage", detail: { ...rdsEvent.detail, EventID: "RDS-EVENT-0611" } };
    assert.equal((await handler(deleted)).status, "archived");
    await handler(rdsEvent);
    const metrics = logged.map((l) => JSON.parse(l));
    assert.equal(metrics.filter((m) => m.FilesLost === 1 && m.Stage === "live").length, 1);
    assert.equal(metrics.filter((m) => m.EventsArchived === 1).length, 2);
  });

  it("keeps events of a cluster's replica added after deploy, and ignores other databases", async () => {
    h.rds.addInstance("prod-aurora-replica-7");
    h.rds.setCluster("prod-aurora", ["prod-aurora-replica-7"]);
    const handler = createRdsEventsHandler(loadAwsSdk(), env);
    const replicaEvent = { ...rdsEvent, id: "replica-event", detail: { ...rdsEvent.detail, SourceIdentifier: "prod-aurora-replica-7" } };
    const otherEvent = { ...rdsEvent, id: "other-event", detail: { ...rdsEvent.detail, SourceIdentifier: "someone-elses-db" } };
    assert.equal((await handler(replicaEvent)).status, "archived");
    assert.deepEqual(await handler(otherEvent), { status: "ignored", source: "someone-elses-db" });
    assert.deepEqual(await objects(), ["events/2024/10/01/19/replica-event.json"]);
  });

  it("writes a malformed event to _rejected/ with its error, and counts it", async () => {
    const handler = createRdsEventsHandler(loadAwsSdk(), env);
    const result = await handler({ source: "aws.rds", detail: {} });
    assert.equal(result.status, "rejected");
    const [key] = await objects();
    assert.match(key, /^_rejected\/\d{4}\/\d{2}\/\d{2}\/[0-9a-f]{64}\.json$/);
    const stored = JSON.parse(await h.s3.getText(BUCKET, key));
    assert.equal(stored.error, "the event has no id");
    assert.deepEqual(stored.payload, { source: "aws.rds", detail: {} });
    assert.ok(logged.some((l) => JSON.parse(l).Rejected === 1));
  });

  it("archives a subscription batch, gzip, one JSON line per event, and a redelivery overwrites it", async () => {
    const handler = createLogSubscriptionHandler(loadAwsSdk(), env);
    const events = [
      { id: "100", timestamp: T, message: "2024-10-01 12:34:56 UTC::@:[1]:LOG:  checkpoint starting: time" },
      { id: "101", timestamp: T + 5, message: "über\nzwei Zeilen" },
    ];
    const payload = subscriptionEvent(dataMessage(events));
    const first = await handler(payload);
    await handler(payload);
    assert.deepEqual(first.keys, ["cloudwatch/aws/rds/instance/prod-rds/error/2024/10/01/12/prod-rds-100.gz"]);
    assert.deepEqual(await objects(), first.keys);
    const text = await h.s3.getText(BUCKET, first.keys[0], { gunzip: true });
    assert.deepEqual(text.trimEnd().split("\n").map((l) => JSON.parse(l)), events);
  });

  it("never lets a bad payload or a bad event cost the good ones", async () => {
    const handler = createLogSubscriptionHandler(loadAwsSdk(), env);
    assert.equal((await handler({ awslogs: { data: "%%%" } })).status, "rejected");
    assert.equal((await handler({ awslogs: { data: gzipSync("[").toString("base64") } })).status, "rejected");
    assert.equal((await handler(subscriptionEvent({ messageType: "CONTROL_MESSAGE", logEvents: [] }))).status, "control");
    const mixed = await handler(subscriptionEvent(dataMessage([{ id: "1", timestamp: T, message: "good" }, { id: "2" }])));
    assert.deepEqual([mixed.events, mixed.rejected], [1, 1]);
    const keys = await objects();
    assert.equal(keys.filter((k) => k.startsWith("_rejected/")).length, 3);
    assert.deepEqual(keys.filter((k) => k.startsWith("cloudwatch/")), ["cloudwatch/aws/rds/instance/prod-rds/error/2024/10/01/12/prod-rds-1.gz"]);
    assert.equal(await h.s3.getText(BUCKET, "cloudwatch/aws/rds/instance/prod-rds/error/2024/10/01/12/prod-rds-1.gz", { gunzip: true }), '{"id":"1","timestamp":1727786096000,"message":"good"}\n');
  });
});
