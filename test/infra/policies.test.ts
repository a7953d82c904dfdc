// The policy document builders and the wildcard check, without Pulumi.
import * as assert from "node:assert/strict";
import {
  assertNoWildcardActions,
  deadLetterQueuePolicy,
  denyInsecureTransportPolicy,
  eventsDeadLetterQueuePolicy,
  lambdaAssumeRolePolicy,
  logSubscriptionFunctionPolicy,
  PolicyDocument,
  rdsEventsFunctionPolicy,
  syncFunctionPolicy,
  SyncPolicyInputs,
  wildcardGrants,
} from "../../infra/policies";

const inputs: SyncPolicyInputs = {
  partition: "aws",
  region: "us-east-1",
  accountId: "111122223333",
  bucketArn: "arn:aws:s3:::111122223333-logs-us-east-1",
  instances: ["prod-rds"],
  clusters: [],
  logGroupArn: "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/rds-log-archiver-live",
  kmsKeyArn: "",
};

const sids = (doc: PolicyDocument) => doc.Statement.map((s) => s.Sid);

describe("policy documents", () => {
  describe("the wildcard check", () => {
    const grant = (Action: string | string[]): PolicyDocument => ({
      Version: "2012-10-17",
      Statement: [{ Sid: "S", Effect: "Allow", Action, Resource: "arn:aws:s3:::b" }],
    });

    it("catches `*`, a service wildcard and a partial wildcard", () => {
      assert.deepEqual(wildcardGrants(grant("*")), ["S: *"]);
      assert.deepEqual(wildcardGrants(grant(["s3:GetObject", "s3:*"])), ["S: s3:*"]);
      assert.deepEqual(wildcardGrants(grant("rds:Describe*")), ["S: rds:Describe*"]);
      assert.throws(() => assertNoWildcardActions(grant("logs:*")), /wildcard actions: S: logs:\*/);
    });

    it("treats NotAction as a wildcard grant", () => {
      const doc: PolicyDocument = { Version: "2012-10-17", Statement: [{ Sid: "N", Effect: "Allow", NotAction: "iam:*", Resource: "*" }] };
      assert.deepEqual(wildcardGrants(doc), ["N: NotAction iam:*"]);
    });

    it("ignores Deny statements (the bucket policy denies s3:* without TLS)", () => {
      assert.deepEqual(wildcardGrants(denyInsecureTransportPolicy("arn:aws:s3:::b")), []);
    });
  });

  describe("the sync function's policy", () => {
    it("for instances only: no cluster statements, no KMS", () => {
      assert.deepEqual(sids(syncFunctionPolicy(inputs)), ["ListArchiveBucket", "ReadWriteArchiveObjects", "ReadWriteStateObjects", "PutObjects", "CreateAndReadDigests", "ReadInstanceLogs", "WriteOwnLogGroup"]);
    });

    it("for clusters only: DescribeDBClusters on the clusters, logs of members admitted by tag", () => {
      const doc = syncFunctionPolicy({ ...inputs, instances: [], clusters: ["orders", "billing"] });
      assert.deepEqual(sids(doc), [
        "ListArchiveBucket",
        "ReadWriteArchiveObjects",
        "ReadWriteStateObjects",
        "PutObjects",
        "CreateAndReadDigests",
        "ResolveClusterMembers",
        "ReadTaggedClusterMemberLogs",
        "ReadAutoScaledReplicaLogs",
        "WriteOwnLogGroup",
      ]);
      const byId = Object.fromEntries(doc.Statement.map((s) => [s.Sid, s]));
      assert.deepEqual(byId.ResolveClusterMembers.Resource, [
        "arn:aws:rds:us-east-1:111122223333:cluster:orders",
        "arn:aws:rds:us-east-1:111122223333:cluster:billing",
      ]);
      assert.deepEqual(byId.ReadTaggedClusterMemberLogs.Condition, {
        StringEquals: { "aws:ResourceTag/rds-log-archiver:cluster": ["orders", "billing"] },
      });
      assert.deepEqual(byId.ReadAutoScaledReplicaLogs.Condition, {
        StringEquals: { "aws:ResourceTag/application-autoscaling:resourceId": ["cluster:orders", "cluster:billing"] },
      });
    });

    it("uses the partition in every ARN it builds", () => {
      const doc = syncFunctionPolicy({ ...inputs, partition: "aws-cn", region: "cn-north-1", clusters: ["orders"] });
      const built = doc.Statement.flatMap((s) => [s.Resource].flat() as string[]).filter((r) => r.includes(":rds:"));
      assert.ok(built.length > 0 && built.every((r) => r.startsWith("arn:aws-cn:rds:cn-north-1:")));
    });

    it("adds the KMS key when the bucket uses SSE-KMS", () => {
      const key = "arn:aws:kms:us-east-1:111122223333:key/abcd";
      const doc = syncFunctionPolicy({ ...inputs, kmsKeyArn: key });
      assert.deepEqual(doc.Statement.at(-1), { Sid: "UseArchiveKey", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: [key] });
    });

    it("never grants a wildcard action", () => {
      for (const doc of [syncFunctionPolicy({ ...inputs, clusters: ["c"], kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/k" }), lambdaAssumeRolePolicy()]) {
        assert.deepEqual(wildcardGrants(doc), []);
      }
    });
  });

  describe("the events and subscription functions' policies", () => {
    const common = {
      bucketArn: inputs.bucketArn,
      logGroupArn: "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/f",
      deadLetterQueueArn: "arn:aws:sqs:us-east-1:111122223333:f-dlq",
      kmsKeyArn: "",
    };
    const events = { ...common, partition: "aws", region: "us-east-1", accountId: "111122223333", clusters: [] as string[] };

    it("the events function writes events/ and _rejected/ with PutObject only, and reads RDS only for configured clusters", () => {
      assert.deepEqual(sids(rdsEventsFunctionPolicy(events)), ["PutObjects", "WriteOwnLogGroup", "SendFailedInvocations"]);
      assert.deepEqual(rdsEventsFunctionPolicy(events).Statement[0].Resource, [`${inputs.bucketArn}/events/*`, `${inputs.bucketArn}/_rejected/*`]);
      const withCluster = rdsEventsFunctionPolicy({ ...events, clusters: ["orders"] });
      assert.deepEqual(withCluster.Statement[1], {
        Sid: "ResolveClusterMembers",
        Effect: "Allow",
        Action: ["rds:DescribeDBClusters"],
        Resource: ["arn:aws:rds:us-east-1:111122223333:cluster:orders"],
      });
    });

    it("the subscription function writes cloudwatch/ and _rejected/ only; with SSE-KMS both may generate data keys", () => {
      const key = "arn:aws:kms:us-east-1:111122223333:key/abcd";
      const doc = logSubscriptionFunctionPolicy({ ...common, kmsKeyArn: key });
      assert.deepEqual(doc.Statement[0].Resource, [`${inputs.bucketArn}/cloudwatch/*`, `${inputs.bucketArn}/_rejected/*`]);
      assert.deepEqual(doc.Statement.at(-1), { Sid: "UseArchiveKey", Effect: "Allow", Action: ["kms:GenerateDataKey"], Resource: [key] });
    });

    it("never grant a wildcard action, nor any action on a whole bucket", () => {
      for (const doc of [rdsEventsFunctionPolicy({ ...events, clusters: ["c"] }), logSubscriptionFunctionPolicy(common)]) {
        assert.deepEqual(wildcardGrants(doc), []);
        for (const s of doc.Statement) assert.ok(!([s.Resource].flat() as string[]).includes(inputs.bucketArn), `${s.Sid} is bucket-wide`);
      }
    });

    it("the dead-letter queues deny requests without TLS; the events queue admits EventBridge for one rule", () => {
      const queue = "arn:aws:sqs:us-east-1:111122223333:q";
      const rule = "arn:aws:events:us-east-1:111122223333:rule/r";
      assert.deepEqual(sids(deadLetterQueuePolicy(queue)), ["DenyInsecureTransport"]);
      const doc = eventsDeadLetterQueuePolicy(queue, rule);
      assert.deepEqual(sids(doc), ["EventBridgeDeadLetters", "DenyInsecureTransport"]);
      assert.deepEqual(doc.Statement[0].Condition, { ArnEquals: { "aws:SourceArn": rule } });
      assert.deepEqual(wildcardGrants(doc), []);
    });
  });
});
