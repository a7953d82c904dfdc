// The committed stack files, loaded as `pulumi preview` would load them (each in its own process; the live one's
// load is the one that produces its deployment packages, shared with the tests that run them).
import * as assert from "node:assert/strict";
import { LIVE, programLoad } from "../shipped/packages";
import { LoadResult, loadProgram, stackFileConfig } from "./harness";
import type { RegisteredResource } from "./mocks";
import { T } from "./resource-types";

function the(result: LoadResult, type: string, name?: string): RegisteredResource {
  const found = result.resources!.filter((r) => r.type === type && (name === undefined || r.name === name));
  assert.equal(found.length, 1, `expected one ${type}${name === undefined ? "" : ` named ${name}`}`);
  return found[0];
}

function all(result: LoadResult, type: string): RegisteredResource[] {
  return result.resources!.filter((r) => r.type === type);
}

describe("the committed stacks", function () {
  this.timeout(300_000); // four program loads in a row, each up to a minute on a busy machine
  const loaded: Record<string, LoadResult> = {};

  before(async () => {
    // One at a time: the loads are CPU-bound.
    loaded.live = await programLoad(LIVE);
    loaded.stage = await loadProgram({ config: stackFileConfig("stage"), stack: "stage", region: "us-east-1" });
    loaded.liveWithoutDefaults = await loadProgram({
      config: stackFileConfig("live", { projectDefaults: false }),
      stack: "live",
      region: "us-east-1",
    });
    // Events off, a daily cron schedule: the alarms take their interval from alarmIntervalMinutes.
    loaded.minimal = await loadProgram({
      config: {
        ...stackFileConfig("live"),
        "rds-log-archiver:archiveEvents": "false",
        "rds-log-archiver:schedule": "cron(0 3 * * ? *)",
        "rds-log-archiver:alarmIntervalMinutes": "1440",
      },
      stack: "live",
      region: "us-east-1",
    });
  });

  it("both stack files set aws:region and pin the account with aws:allowedAccountIds", () => {
    for (const stack of ["live", "stage"]) {
      const file = stackFileConfig(stack, { projectDefaults: false });
      assert.equal(file["aws:region"], "us-east-1");
      assert.deepEqual(JSON.parse(file["aws:allowedAccountIds"]), ["123456789012"]);
    }
  });

  for (const [stack, bucket, instance] of [
    ["live", "prod-rds-logs", "prod-rds"],
    ["stage", "stage-rds-logs", "stage-rds"],
  ]) {
    it(`${stack}: bucket ${bucket}, instance ${instance}, the documented defaults`, () => {
      const result = loaded[stack];
      assert.ok(result.ok, `${result.error}\n${result.stderr}`);
      assert.deepEqual(result.outputs, {
        bucketName: `123456789012-${bucket}-us-east-1`,
        bucketArn: `arn:aws:s3:::123456789012-${bucket}-us-east-1`,
        functionName: `rds-log-archiver-${stack}`,
        functionArn: `arn:aws:lambda:us-east-1:123456789012:function:rds-log-archiver-${stack}`,
        schedule: "rate(5 minutes)",
        alarmTopicArn: `arn:aws:sns:us-east-1:123456789012:rds-log-archiver-${stack}-alarms`,
        dashboardUrl: `https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=rds-log-archiver-${stack}`,
        eventsFunctionName: `rds-log-archiver-${stack}-events`,
        eventsDeadLetterQueueUrl: `https://sqs.us-east-1.amazonaws.com/123456789012/rds-log-archiver-${stack}-events-dlq`,
        verifyFunctionName: `rds-log-archiver-${stack}-verify`,
      });
      const fn = the(result, T.fn, "sync").inputs;
      assert.deepEqual(
        [fn.runtime, fn.memorySize, fn.timeout, fn.reservedConcurrentExecutions],
        ["nodejs22.x", 256, 600, 1],
      );
      assert.deepEqual(fn.environment.variables, {
        ARCHIVE_BUCKET: `123456789012-${bucket}-us-east-1`,
        RDS_INSTANCES: instance,
        RDS_CLUSTERS: "",
        LOG_INCLUDE_PREFIXES: "",
        SYNC_CONCURRENCY: "4",
        ACTIVE_REFRESH_MINUTES: "0",
        CONNECT_TIMEOUT_SECONDS: "10",
        READ_TIMEOUT_SECONDS: "60",
        ARCHIVE_STAGE: stack,
      });
      assert.equal(the(result, T.logGroup, "sync").inputs.retentionInDays, 30);
      assert.deepEqual(the(result, T.fn, "events").inputs.environment.variables, {
        ARCHIVE_BUCKET: `123456789012-${bucket}-us-east-1`,
        RDS_INSTANCES: instance,
        RDS_CLUSTERS: "",
        ARCHIVE_STAGE: stack,
      });
    });
  }

  it("default encryption is SSE-S3 when no KMS key is configured", () => {
    assert.deepEqual(the(loaded.live, T.encryption).inputs.rules, [
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
  });

  it("versioning stays suspended by default", () => {
    assert.deepEqual(the(loaded.live, T.versioning).inputs.versioningConfiguration, { status: "Suspended" });
  });

  it("the default lifecycle: abort multipart uploads, and STANDARD_IA after 30 days for the instance's and the events' prefixes", () => {
    assert.deepEqual(the(loaded.live, T.lifecycle).inputs.rules, [
      { id: "abort-incomplete-multipart-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
      { id: "archive-prod-rds", status: "Enabled", filter: { prefix: "prod-rds/" }, transitions: [{ days: 30, storageClass: "STANDARD_IA" }] },
      { id: "archive-events", status: "Enabled", filter: { prefix: "events/" }, transitions: [{ days: 30, storageClass: "STANDARD_IA" }] },
    ]);
  });

  it("by default RDS events are archived and no log group is subscribed", () => {
    assert.equal(the(loaded.live, T.rule, "events").inputs.eventPattern,
      JSON.stringify({ source: ["aws.rds"], "detail-type": ["RDS DB Instance Event", "RDS DB Cluster Event"] }));
    assert.deepEqual(all(loaded.live, T.filter), []);
    assert.deepEqual(all(loaded.live, T.fn).map((f) => f.inputs.name).sort(), [
      "rds-log-archiver-live",
      "rds-log-archiver-live-events",
      "rds-log-archiver-live-verify",
    ]);
    // The events function reads no cluster: no DescribeDBClusters statement.
    const policy = JSON.parse(the(loaded.live, T.rolePolicy, "events").inputs.policy);
    assert.deepEqual(policy.Statement.map((s: { Sid: string }) => s.Sid), ["PutObjects", "WriteOwnLogGroup", "SendFailedInvocations"]);
  });

  it("the default alarms: a 5-minute interval, 60 minutes of lag, no email subscription", () => {
    const alarms = Object.fromEntries(all(loaded.live, T.alarm).map((a) => [a.name, a.inputs]));
    assert.deepEqual(Object.keys(alarms).sort(), [
      "alarms-events-dead-letters",
      "alarms-failures",
      "alarms-files-lost",
      "alarms-lag",
      "alarms-no-successful-run",
      "alarms-rejected",
      "alarms-verify-mismatched",
      "alarms-verify-missing",
    ]);
    // The scheduled verify runs weekly by default: its alarms look at a week.
    assert.equal(alarms["alarms-verify-missing"].period, 7 * 86400);
    assert.equal(alarms["alarms-failures"].period, 300);
    assert.equal(alarms["alarms-lag"].period, 300);
    assert.equal(alarms["alarms-lag"].threshold, 3600);
    assert.equal(alarms["alarms-no-successful-run"].period, 900);
    assert.deepEqual(all(loaded.live, T.topicSubscription), []);
  });

  it("with archiveEvents false: no events resources, no rejected alarm, no events/ lifecycle rule", () => {
    const result = loaded.minimal;
    assert.ok(result.ok, `${result.error}\n${result.stderr}`);
    assert.deepEqual(result.resources!.filter((r) => r.name.startsWith("events") || r.name.startsWith("logs")), []);
    assert.deepEqual(all(result, T.queue), []);
    const rules = the(result, T.lifecycle).inputs.rules;
    assert.deepEqual(rules.map((r: { id: string }) => r.id), ["abort-incomplete-multipart-uploads", "archive-prod-rds"]);
    assert.deepEqual(Object.keys(result.outputs!).sort(), ["alarmTopicArn", "bucketArn", "bucketName", "dashboardUrl", "functionArn", "functionName", "schedule", "verifyFunctionName"]);
  });

  it("with a cron schedule the alarms use alarmIntervalMinutes: a day for failures and lag, three days without a successful run", () => {
    const alarms = Object.fromEntries(all(loaded.minimal, T.alarm).map((a) => [a.name, a.inputs]));
    assert.deepEqual(Object.keys(alarms).sort(), ["alarms-failures", "alarms-files-lost", "alarms-lag", "alarms-no-successful-run", "alarms-verify-mismatched", "alarms-verify-missing"]);
    assert.equal(alarms["alarms-failures"].period, 86400);
    assert.equal(alarms["alarms-lag"].period, 86400);
    assert.equal(alarms["alarms-no-successful-run"].period, 3 * 86400);
  });

  it("the function's policy has no cluster or KMS statements when none are configured", () => {
    const policy = JSON.parse(the(loaded.live, T.rolePolicy, "sync").inputs.policy);
    assert.deepEqual(
      policy.Statement.map((s: { Sid: string }) => s.Sid),
      ["ListArchiveBucket", "ReadWriteArchiveObjects", "ReadWriteStateObjects", "PutObjects", "CreateAndReadDigests", "ReadInstanceLogs", "WriteOwnLogGroup"],
    );
    assert.deepEqual(policy.Statement[5].Resource, ["arn:aws:rds:us-east-1:123456789012:db:prod-rds"]);
  });

  it("the program's own defaults equal Pulumi.yaml's: without them it registers the same resources", () => {
    assert.ok(loaded.liveWithoutDefaults.ok, loaded.liveWithoutDefaults.error);
    // By type and name: functions register once serialized, so two functions may register in either order.
    const sorted = (r: LoadResult) => [...r.resources!].sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`));
    assert.deepEqual(sorted(loaded.liveWithoutDefaults), sorted(loaded.live));
    assert.deepEqual(loaded.liveWithoutDefaults.outputs, loaded.live.outputs);
  });
});
