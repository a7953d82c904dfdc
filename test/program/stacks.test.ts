// The committed stack files, loaded as `pulumi preview` would load them (each in its own process).
import * as assert from "node:assert/strict";
import { LoadResult, loadProgram, stackFileConfig } from "./harness";
import type { RegisteredResource } from "./mocks";

function the(result: LoadResult, type: string): RegisteredResource {
  const found = result.resources!.filter((r) => r.type === type);
  assert.equal(found.length, 1, `expected one ${type}`);
  return found[0];
}

describe("the committed stacks", function () {
  this.timeout(120_000);
  const loaded: Record<string, LoadResult> = {};

  before(async () => {
    // One at a time: the loads are CPU-bound.
    loaded.live = await loadProgram({ config: stackFileConfig("live"), stack: "live", region: "us-east-1" });
    loaded.stage = await loadProgram({ config: stackFileConfig("stage"), stack: "stage", region: "us-east-1" });
    loaded.liveWithoutDefaults = await loadProgram({
      config: stackFileConfig("live", { projectDefaults: false }),
      stack: "live",
      region: "us-east-1",
    });
  });

  it("both stack files set aws:region", () => {
    assert.equal(stackFileConfig("live", { projectDefaults: false })["aws:region"], "us-east-1");
    assert.equal(stackFileConfig("stage", { projectDefaults: false })["aws:region"], "us-east-1");
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
      });
      const fn = the(result, "aws:lambda/function:Function").inputs;
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
        ARCHIVE_STAGE: stack,
      });
      assert.equal(the(result, "aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays, 30);
    });
  }

  it("default encryption is SSE-S3 when no KMS key is configured", () => {
    assert.deepEqual(the(loaded.live, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules, [
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
  });

  it("versioning stays suspended by default", () => {
    assert.deepEqual(the(loaded.live, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration, { status: "Suspended" });
  });

  it("the default lifecycle: abort multipart uploads, and STANDARD_IA after 30 days for the instance's prefix only", () => {
    assert.deepEqual(the(loaded.live, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules, [
      { id: "abort-incomplete-multipart-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
      { id: "archive-prod-rds", status: "Enabled", filter: { prefix: "prod-rds/" }, transitions: [{ days: 30, storageClass: "STANDARD_IA" }] },
    ]);
  });

  it("the function's policy has no cluster or KMS statements when none are configured", () => {
    const policy = JSON.parse(the(loaded.live, "aws:iam/rolePolicy:RolePolicy").inputs.policy);
    assert.deepEqual(
      policy.Statement.map((s: { Sid: string }) => s.Sid),
      ["ListArchiveBucket", "ReadWriteArchiveObjects", "ReadInstanceLogs", "WriteOwnLogGroup"],
    );
    assert.deepEqual(policy.Statement[2].Resource, ["arn:aws:rds:us-east-1:123456789012:db:prod-rds"]);
  });

  it("the program's own defaults equal Pulumi.yaml's: without them it registers the same resources", () => {
    assert.ok(loaded.liveWithoutDefaults.ok, loaded.liveWithoutDefaults.error);
    assert.deepEqual(loaded.liveWithoutDefaults.resources, loaded.live.resources);
    assert.deepEqual(loaded.liveWithoutDefaults.outputs, loaded.live.outputs);
  });
});
