// End to end for the RDS events and CloudWatch Logs subscription functions: the code `pulumi up` would ship.
//
// The stack with every option on (events, two log groups, instances and a cluster; test/program/all-options.ts)
// holds each function's deployment package: the serialized `__index.js` and the node_modules it ships. Each package
// is unpacked (test/shipped) and its handler runs in its own host process, with the environment the stack gives
// that function, against a fake RDS (for cluster membership) and s3rver. It is fed payloads shaped like the ones
// EventBridge and CloudWatch Logs deliver, malformed ones among them, and the archive is inspected afterwards.
import * as assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { childEnv } from "../../local-aws/env";
import { FakeRds } from "../../local-aws/fake-rds";
import { LocalS3, StoredObject } from "../../local-aws/local-s3";
import { FunctionHost } from "../shipped/host";
import { shipped, type ShippedFunction } from "../shipped/packages";
import { DEFAULT_REGION as REGION } from "./mocks";

interface Run {
  /** Per payload, the handler's result, or `{ thrown }` when the invocation threw (Lambda would retry it). */
  results: any[];
  /** The Embedded Metric Format lines the handler logged. */
  metrics: any[];
  stderr: string;
}

/** Invokes the handler once per payload, in order, in one warm host, the way Lambda does: (event, context). */
async function invoke(fn: ShippedFunction, payloads: unknown[], env: NodeJS.ProcessEnv): Promise<Run> {
  const host = await FunctionHost.start(fn, { env });
  try {
    const results: unknown[] = [];
    const logs: string[] = [];
    for (const [i, payload] of payloads.entries()) {
      const invocation = await host.invoke(payload, { remainingMs: 30_000, requestId: `e2e-${i}` });
      results.push(invocation.error ? { thrown: invocation.error.stack ?? invocation.error.message } : invocation.result);
      logs.push(...invocation.logs);
    }
    const metrics = logs.filter((l) => l.startsWith('{"_aws"')).map((l) => JSON.parse(l));
    return { results, metrics, stderr: host.errors };
  } finally {
    await host.stop();
  }
}

function metricTotals(metrics: any[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const line of metrics) {
    const [directive] = line._aws.CloudWatchMetrics;
    assert.equal(directive.Namespace, "RdsLogArchiver");
    assert.deepEqual(directive.Dimensions, [["Stage"]]);
    assert.equal(line.Stage, "live");
    for (const { Name } of directive.Metrics) totals[Name] = (totals[Name] ?? 0) + line[Name];
  }
  return totals;
}

const today = () => new Date().toISOString().slice(0, 10).replace(/-/g, "/");
const ACCOUNT = "123456789012";

/** An RDS event as EventBridge delivers it. */
function rdsEvent(id: string, time: string, source: string, detailType = "RDS DB Instance Event", message = "DB instance restarted") {
  const kind = detailType === "RDS DB Cluster Event" ? "cluster" : "db";
  const arn = `arn:aws:rds:${REGION}:${ACCOUNT}:${kind}:${source}`;
  return {
    version: "0",
    id,
    "detail-type": detailType,
    source: "aws.rds",
    account: ACCOUNT,
    time,
    region: REGION,
    resources: [arn],
    detail: {
      EventCategories: ["availability"],
      SourceType: kind === "db" ? "DB_INSTANCE" : "CLUSTER",
      SourceArn: arn,
      Date: time.replace("Z", ".512Z"),
      Message: message,
      SourceIdentifier: source,
      EventID: kind === "db" ? "RDS-EVENT-0006" : "RDS-EVENT-0071",
    },
  };
}

function logFilesDeleted(event: ReturnType<typeof rdsEvent>): ReturnType<typeof rdsEvent> {
  return { ...event, detail: { ...event.detail, EventCategories: ["notification"], EventID: "RDS-EVENT-0611" } };
}

/** A CloudWatch Logs subscription delivery: base64 of gzip of the JSON batch. */
function delivery(batch: unknown): { awslogs: { data: string } } {
  return { awslogs: { data: gzipSync(JSON.stringify(batch)).toString("base64") } };
}

describe("end to end: the serialized events and subscription functions against a fake RDS and a local S3", function () {
  this.timeout(180_000);

  let rds: FakeRds | undefined;
  let s3: LocalS3 | undefined;
  let bucket: string;
  let objects: StoredObject[];
  let events: Run;
  let logs: Run;

  const eventIds = {
    instance: "6a7e4feb-b491-4cf7-a9f1-bf3703467718",
    member: "1a3d5e8c-2f4b-4c9d-8e7f-0a1b2c3d4e5f",
    cluster: "c0ffee00-1234-4abc-8def-99aa88bb77cc",
    unrelated: "deadbeef-0000-4000-8000-000000000001",
  };
  const eventPayloads = {
    instance: rdsEvent(eventIds.instance, "2024-10-01T19:34:09Z", "prod-rds", "RDS DB Instance Event", "DB instance stopped"),
    // A replica added to the cluster after the deploy: known only through DescribeDBClusters.
    // ... and one of the log files Aurora deleted before they were shipped: it counts in FilesLost too.
    member: logFilesDeleted(rdsEvent(eventIds.member, "2024-10-02T03:05:00Z", "orders-aurora-replica-7", "RDS DB Instance Event", "Log files were deleted because they used more storage than the instance allows")),
    cluster: rdsEvent(eventIds.cluster, "2024-10-02T03:06:00Z", "orders-aurora", "RDS DB Cluster Event", "Completed failover to DB instance: orders-aurora-replica-7"),
    unrelated: rdsEvent(eventIds.unrelated, "2024-10-02T04:00:00Z", "billing-rds"),
    malformed: { version: "0", "detail-type": "RDS DB Instance Event", source: "aws.rds", time: "yesterday", detail: { SourceIdentifier: "prod-rds" } },
  };

  const T = Date.UTC(2024, 9, 1, 12, 34, 56);
  const firstId = "38149021553254381289542167364281983839473823659748310016";
  const errorBatch = {
    owner: ACCOUNT,
    logGroup: "/aws/rds/instance/prod-rds/error",
    logStream: "prod-rds",
    subscriptionFilters: ["rds-log-archiver-live-logs"],
    messageType: "DATA_MESSAGE",
    logEvents: [
      { id: firstId, timestamp: T, message: "2024-10-01 12:34:56 UTC::@:[101]:LOG:  checkpoint starting: time" },
      { id: "38149021553254381289542167364281983839473823659748310017", timestamp: T + 1000, message: "2024-10-01 12:34:57 UTC::@:[101]:LOG:  checkpoint complete" },
      { id: "38149021553254381289542167364281983839473823659748310018", timestamp: T + 2000, message: "line one\nline two of one event" },
    ],
  };
  const auditBatch = {
    owner: ACCOUNT,
    logGroup: "/aws/rds/cluster/orders-aurora/audit",
    logStream: "orders-aurora-replica-7.audit.log.0.2024-10-01-13-00.0",
    subscriptionFilters: ["rds-log-archiver-live-logs"],
    messageType: "DATA_MESSAGE",
    logEvents: [
      { id: "38149100000000000000000000000000000000000000000000000001", timestamp: T + 3_600_000, message: "20241001 13:34:56,replica-7,admin,10.0.0.1,42,0,CONNECT,,,0" },
      { id: "38149100000000000000000000000000000000000000000000000002", message: "an event without its timestamp" },
    ],
  };
  const control = {
    owner: "CloudwatchLogs",
    logGroup: "",
    logStream: "",
    subscriptionFilters: ["rds-log-archiver-live-logs"],
    messageType: "CONTROL_MESSAGE",
    logEvents: [{ id: "", timestamp: T, message: "CWL CONTROL MESSAGE: Checking health of destination Lambda function." }],
  };

  before(async () => {
    const eventsFn = await shipped("events");
    const logsFn = await shipped("logs");
    bucket = eventsFn.variables.ARCHIVE_BUCKET;
    assert.equal(logsFn.variables.ARCHIVE_BUCKET, bucket);

    rds = await FakeRds.start({ region: REGION });
    s3 = await LocalS3.start({ buckets: [bucket] });
    rds.setCluster("orders-aurora", ["orders-aurora-1", "orders-aurora-replica-7"]);
    // No NODE_PATH: the handlers resolve their packages from the unpacked package only.
    const env = (variables: Record<string, string>) => childEnv(rds!, s3!, { ...variables, NODE_PATH: undefined });

    // The two processes run one after the other: each is CPU-bound while it loads the SDK.
    events = await invoke(
      eventsFn,
      [
        eventPayloads.instance,
        eventPayloads.instance, // EventBridge delivers again: same key, same bytes
        eventPayloads.member,
        eventPayloads.cluster,
        eventPayloads.unrelated,
        eventPayloads.malformed,
        "not an event",
      ],
      env(eventsFn.variables),
    );
    logs = await invoke(
      logsFn,
      [
        delivery(errorBatch),
        delivery(errorBatch), // redelivered
        delivery(control),
        delivery(auditBatch),
        { awslogs: { data: "H4sI!!this is not base64!!" } },
        { awslogs: { data: Buffer.from("plain text, not gzip").toString("base64") } },
        { awslogs: { data: gzipSync("{not json").toString("base64") } },
      ],
      env(logsFn.variables),
    );
    objects = await s3.listAll(bucket);
  });

  after(async () => {
    await rds?.stop();
    await s3?.stop();
  });

  const keys = (prefix: string) => objects.filter((o) => o.key.startsWith(prefix)).map((o) => o.key).sort();
  const json = async (key: string) => JSON.parse(await s3!.getText(bucket, key));

  describe("RDS events", () => {
    it("archives the stage's instance, cluster and current cluster members' events under events/<hour of the event>/<id>.json", () => {
      assert.deepEqual(keys("events/"), [
        `events/2024/10/01/19/${eventIds.instance}.json`,
        `events/2024/10/02/03/${eventIds.member}.json`,
        `events/2024/10/02/03/${eventIds.cluster}.json`,
      ]);
      assert.deepEqual(
        events.results.map((r) => r.status),
        ["archived", "archived", "archived", "archived", "ignored", "rejected", "rejected"],
      );
      assert.deepEqual(events.results[4], { status: "ignored", source: "billing-rds" });
    });

    it("stores each event as delivered; a redelivery rewrote the same key", async () => {
      assert.deepEqual(await json(`events/2024/10/01/19/${eventIds.instance}.json`), eventPayloads.instance);
      assert.deepEqual(await json(`events/2024/10/02/03/${eventIds.member}.json`), eventPayloads.member);
      assert.equal(events.results[0].key, events.results[1].key);
    });

    it("resolved the cluster's members with DescribeDBClusters, once for the whole batch", () => {
      const lookups = rds!.requests.filter((r) => r.action === "DescribeDBClusters");
      assert.equal(lookups.length, 1);
      assert.equal(lookups[0].cluster, "orders-aurora");
    });

    it("keeps malformed events under _rejected/<today>/ with the error, never drops them", async () => {
      const rejected = events.results.filter((r) => r.status === "rejected").map((r) => r.key);
      for (const key of rejected) assert.match(key, new RegExp(`^_rejected/${today()}/[0-9a-f]{64}\\.json$`));
      const first = await json(rejected[0]);
      assert.equal(first.source, "rds-events");
      assert.match(first.error, /no id/);
      assert.deepEqual(first.payload, eventPayloads.malformed);
      assert.equal((await json(rejected[1])).payload, "not an event");
    });

    it("logs EventsArchived, Rejected and FilesLost in Embedded Metric Format", () => {
      assert.deepEqual(metricTotals(events.metrics), { EventsArchived: 4, Rejected: 2, FilesLost: 1 });
      assert.equal(events.stderr.includes("Error"), false, events.stderr);
    });
  });

  describe("CloudWatch Logs subscriptions", () => {
    const errorKey = `cloudwatch/aws/rds/instance/prod-rds/error/2024/10/01/12/prod-rds-${firstId}.gz`;
    const auditKey =
      "cloudwatch/aws/rds/cluster/orders-aurora/audit/2024/10/01/13/" +
      "orders-aurora-replica-7.audit.log.0.2024-10-01-13-00.0-38149100000000000000000000000000000000000000000000000001.gz";

    it("writes each delivery under cloudwatch/<log group>/<hour>/<stream>-<first event id>.gz; a redelivery rewrote it", () => {
      assert.deepEqual(keys("cloudwatch/"), [auditKey, errorKey].sort());
      assert.deepEqual(logs.results[0], { status: "archived", keys: [errorKey], events: 3, rejected: 0 });
      assert.deepEqual(logs.results[1], logs.results[0]);
    });

    it("gzip, one JSON line per log event", async () => {
      const lines = (await s3!.getText(bucket, errorKey, { gunzip: true })).split("\n");
      assert.equal(lines.pop(), "");
      assert.deepEqual(lines.map((l) => JSON.parse(l)), errorBatch.logEvents);
      const object = objects.find((o) => o.key === errorKey)!;
      assert.equal(object.metadata["log-group"], "/aws/rds/instance/prod-rds/error");
      assert.equal(object.metadata.events, "3");
    });

    it("skips CONTROL_MESSAGE deliveries", () => {
      assert.deepEqual(logs.results[2], { status: "control", keys: [], events: 0, rejected: 0 });
    });

    it("keeps the good events of a batch and rejects only the malformed one", async () => {
      const [result] = [logs.results[3]];
      assert.equal(result.status, "archived");
      assert.equal(result.events, 1);
      assert.equal(result.rejected, 1);
      assert.equal(result.keys[0], auditKey);
      assert.match(result.keys[1], new RegExp(`^_rejected/${today()}/`));
      const rejected = await json(result.keys[1]);
      assert.equal(rejected.source, "cloudwatch-logs");
      assert.equal(rejected.payload.logGroup, "/aws/rds/cluster/orders-aurora/audit");
      assert.equal(rejected.payload.malformed[0].value.message, "an event without its timestamp");
    });

    it("rejects payloads that are not base64, not gzip or not JSON, with the reason", async () => {
      const reasons = [];
      for (const result of logs.results.slice(4)) {
        assert.equal(result.status, "rejected");
        const rejected = await json(result.keys[0]);
        assert.equal(rejected.source, "cloudwatch-logs");
        reasons.push(rejected.error);
      }
      assert.match(reasons[0], /not valid base64/);
      assert.match(reasons[1], /not gzip/);
      assert.match(reasons[2], /not JSON/);
    });

    it("logs LogEventsArchived and Rejected in Embedded Metric Format", () => {
      assert.deepEqual(metricTotals(logs.metrics), { LogEventsArchived: 7, Rejected: 4 });
    });
  });

  it("the archive holds nothing else: every rejected payload once, no state objects", () => {
    const rejected = keys("_rejected/");
    assert.equal(rejected.length, 6);
    assert.deepEqual(
      objects.map((o) => o.key).filter((k) => !k.startsWith("events/") && !k.startsWith("cloudwatch/") && !k.startsWith("_rejected/")),
      [],
    );
  });
});

describe("end to end: the serialized events and subscription functions when S3 refuses", function () {
  this.timeout(180_000);

  let rds: FakeRds | undefined;
  let s3: LocalS3 | undefined;
  after(async () => {
    await rds?.stop();
    await s3?.stop();
  });

  it("each invocation throws, naming the failure, so Lambda retries it and then dead-letters it; nothing is written", async () => {
    const eventsFn = await shipped("events");
    const logsFn = await shipped("logs");
    const bucket = eventsFn.variables.ARCHIVE_BUCKET;
    rds = await FakeRds.start({ region: REGION });
    s3 = await LocalS3.start({ buckets: [bucket] });
    // Credentials s3rver does not know: every S3 call is refused.
    const env = (variables: Record<string, string>) => childEnv(rds!, s3!, { ...variables, AWS_ACCESS_KEY_ID: "SOMEONE-ELSE" });
    const event = rdsEvent("0f0f0f0f-1111-4222-8333-444455556666", "2024-10-01T19:34:09Z", "prod-rds");
    const batch = { owner: ACCOUNT, logGroup: "/aws/rds/instance/prod-rds/error", logStream: "prod-rds", messageType: "DATA_MESSAGE", logEvents: [{ id: "1", timestamp: Date.UTC(2024, 9, 1), message: "m" }] };
    const runs = [await invoke(eventsFn, [event], env(eventsFn.variables)), await invoke(logsFn, [delivery(batch)], env(logsFn.variables))];
    for (const run of runs) assert.match(run.results[0].thrown ?? "", /AccessDenied|InvalidAccessKeyId|denied|Forbidden/i, JSON.stringify(run.results[0]));
    assert.deepEqual(await s3.listAll(bucket), []);
  });
});
