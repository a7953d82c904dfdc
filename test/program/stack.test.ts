// The program loaded under mocks (setup.ts: every option on), read back from the registered resources.
import * as assert from "node:assert/strict";
import { PolicyDocument, wildcardGrants } from "../../infra/policies";
import { ACCOUNT_ID, DEFAULT_REGION as REGION } from "./mocks";
import { KMS_KEY_ARN, registered, resourcesOf, stackOutputs, the } from "./setup";
import { T } from "./resource-types";

const BUCKET = `${ACCOUNT_ID}-prod-rds-logs-${REGION}`;
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const FUNCTION_NAME = "rds-log-archiver-live";
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${FUNCTION_NAME}`;
const RDS = `arn:aws:rds:${REGION}:${ACCOUNT_ID}`;
const LOG_ACTIONS = ["rds:DescribeDBLogFiles", "rds:DownloadCompleteDBLogFile"];

const doc = (json: string): PolicyDocument => JSON.parse(json);

describe("program under mocks", () => {
  it("exports the bucket, the functions, the schedule, the alarm topic, the dead-letter queues, the dashboard and Athena", async () => {
    const sqs = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}`;
    assert.deepEqual(await stackOutputs(), {
      bucketName: BUCKET,
      bucketArn: BUCKET_ARN,
      functionName: FUNCTION_NAME,
      functionArn: FUNCTION_ARN,
      schedule: "rate(10 minutes)",
      alarmTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT_ID}:${FUNCTION_NAME}-alarms`,
      eventsFunctionName: `${FUNCTION_NAME}-events`,
      eventsDeadLetterQueueUrl: `${sqs}/${FUNCTION_NAME}-events-dlq`,
      logsFunctionName: `${FUNCTION_NAME}-logs`,
      logsDeadLetterQueueUrl: `${sqs}/${FUNCTION_NAME}-logs-dlq`,
      dashboardUrl: `https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards:name=${FUNCTION_NAME}`,
      athenaWorkgroup: FUNCTION_NAME,
      athenaDatabase: "rds_log_archiver_live",
      athenaTable: "rds_logs",
      verifyFunctionName: `${FUNCTION_NAME}-verify`,
    });
  });

  describe("bucket name", () => {
    it("is <accountId>-<bucketName>-<region>, from getCallerIdentity and getRegion", async () => {
      const bucket = await the(T.bucket);
      assert.equal(bucket.inputs.bucket, BUCKET);
      assert.match(bucket.inputs.bucket, /^\d{12}-[a-z0-9-]+-[a-z]{2}(-[a-z]+)+-\d$/);
      assert.ok(bucket.inputs.bucket.length <= 63);
    });

    it("is never force-destroyed", async () => {
      assert.equal((await the(T.bucket)).inputs.forceDestroy, false);
    });
  });

  describe("bucket hardening: one resource each, attached to this bucket", () => {
    for (const type of [T.publicAccessBlock, T.ownership, T.encryption, T.versioning, T.bucketPolicy, T.lifecycle]) {
      it(`${type.split(":").pop()} targets ${BUCKET}`, async () => {
        assert.equal((await the(type)).inputs.bucket, BUCKET);
      });
    }

    it("blocks every kind of public access", async () => {
      const { inputs } = await the(T.publicAccessBlock);
      assert.deepEqual(
        [inputs.blockPublicAcls, inputs.blockPublicPolicy, inputs.ignorePublicAcls, inputs.restrictPublicBuckets],
        [true, true, true, true],
      );
    });

    it("enforces bucket-owner object ownership (ACLs disabled)", async () => {
      assert.deepEqual((await the(T.ownership)).inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
    });

    it("encrypts by default with the configured KMS key and an S3 Bucket Key", async () => {
      assert.deepEqual((await the(T.encryption)).inputs.rules, [
        { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KMS_KEY_ARN }, bucketKeyEnabled: true },
      ]);
    });

    it("denies every request that does not use TLS", async () => {
      assert.deepEqual(doc((await the(T.bucketPolicy)).inputs.policy).Statement, [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: ["s3:*"],
          Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]);
    });

    it("versions objects as configured", async () => {
      assert.deepEqual((await the(T.versioning)).inputs.versioningConfiguration, { status: "Enabled" });
    });

    it("aborts incomplete multipart uploads after 1 day, bucket-wide", async () => {
      const rules: any[] = (await the(T.lifecycle)).inputs.rules;
      const abort = rules.find((r) => r.abortIncompleteMultipartUpload);
      assert.deepEqual(abort, {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      });
    });

    it("transitions and expires each archived id's prefix, the events and the subscriptions, expires Athena's results, and nothing else", async () => {
      const rules: any[] = (await the(T.lifecycle)).inputs.rules;
      const scoped = rules.filter((r) => r.transitions || r.expiration?.days);
      assert.deepEqual(scoped, [
        { id: "expire-query-results", status: "Enabled", filter: { prefix: "_athena-results/" }, expiration: { days: 7 } },
        ...["prod-rds", "reporting-rds", "orders-aurora", "events", "cloudwatch"].map((id) => ({
          id: `archive-${id}`,
          status: "Enabled",
          filter: { prefix: `${id}/` },
          transitions: [{ days: 60, storageClass: "GLACIER_IR" }],
          expiration: { days: 400 },
        })),
      ]);
    });

    it("never moves or deletes the engine's state objects under _state/, nor the rejected payloads under _rejected/", async () => {
      const rules: any[] = (await the(T.lifecycle)).inputs.rules;
      for (const rule of rules.filter((r) => r.transitions || r.expiration?.days)) {
        const prefix: string = rule.filter?.prefix ?? rule.filter?.and?.prefix ?? "";
        for (const kept of ["_state/", "_rejected/"]) {
          assert.ok(prefix.length > 0 && !kept.startsWith(prefix) && !prefix.startsWith(kept), `rule ${rule.id} reaches ${kept}`);
        }
      }
    });

    it("expires replaced versions after the configured days", async () => {
      const rules: any[] = (await the(T.lifecycle)).inputs.rules;
      assert.deepEqual(rules.find((r) => r.noncurrentVersionExpiration), {
        id: "expire-noncurrent-versions",
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: 14 },
        expiration: { expiredObjectDeleteMarker: true },
      });
    });
  });

  describe("IAM", () => {
    it("gives the function its own role, assumable by Lambda only", async () => {
      const role = await the(T.role, "sync");
      assert.deepEqual(doc(role.inputs.assumeRolePolicy).Statement, [
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: ["sts:AssumeRole"] },
      ]);
      assert.equal((await the(T.rolePolicy, "sync")).inputs.role, "sync-role");
      assert.equal((await the(T.fn, "sync")).inputs.role, "arn:aws:iam::123456789012:role/sync-role");
    });

    it("attaches no managed policies (CallbackFunction's broad defaults stay off)", async () => {
      const attachments = (await registered()).filter((r) => r.type.startsWith("aws:iam/") && /Attachment/.test(r.type));
      assert.deepEqual(attachments, []);
    });

    it("grants exactly these actions on exactly these resources", async () => {
      const policy = doc((await the(T.rolePolicy, "sync")).inputs.policy);
      assert.deepEqual(policy, {
        Version: "2012-10-17",
        Statement: [
          { Sid: "ListArchiveBucket", Effect: "Allow", Action: ["s3:ListBucket", "s3:ListBucketMultipartUploads"], Resource: [BUCKET_ARN] },
          {
            Sid: "ReadWriteArchiveObjects",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"],
            Resource: [`${BUCKET_ARN}/prod-rds/*`, `${BUCKET_ARN}/reporting-rds/*`, `${BUCKET_ARN}/orders-aurora/*`],
          },
          {
            Sid: "ReadWriteStateObjects",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject"],
            Resource: [`${BUCKET_ARN}/_state/prod-rds/*`, `${BUCKET_ARN}/_state/reporting-rds/*`, `${BUCKET_ARN}/_state/orders-aurora/*`],
          },
          {
            Sid: "PutObjects",
            Effect: "Allow",
            Action: ["s3:PutObject"],
            Resource: [`${BUCKET_ARN}/_gaps/prod-rds/*`, `${BUCKET_ARN}/_gaps/reporting-rds/*`, `${BUCKET_ARN}/_gaps/orders-aurora/*`],
          },
          {
            Sid: "CreateAndReadDigests",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject"],
            Resource: [`${BUCKET_ARN}/_digests/prod-rds/*`, `${BUCKET_ARN}/_digests/reporting-rds/*`, `${BUCKET_ARN}/_digests/orders-aurora/*`],
          },
          { Sid: "ReadInstanceLogs", Effect: "Allow", Action: LOG_ACTIONS, Resource: [`${RDS}:db:prod-rds`, `${RDS}:db:reporting-rds`] },
          { Sid: "ResolveClusterMembers", Effect: "Allow", Action: ["rds:DescribeDBClusters"], Resource: [`${RDS}:cluster:orders-aurora`] },
          {
            Sid: "ReadTaggedClusterMemberLogs",
            Effect: "Allow",
            Action: LOG_ACTIONS,
            Resource: [`${RDS}:db:*`],
            Condition: { StringEquals: { "aws:ResourceTag/rds-log-archiver:cluster": ["orders-aurora"] } },
          },
          {
            Sid: "ReadAutoScaledReplicaLogs",
            Effect: "Allow",
            Action: LOG_ACTIONS,
            Resource: [`${RDS}:db:*`],
            Condition: { StringEquals: { "aws:ResourceTag/application-autoscaling:resourceId": ["cluster:orders-aurora"] } },
          },
          {
            Sid: "WriteOwnLogGroup",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: [`arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/aws/lambda/${FUNCTION_NAME}:*`],
          },
          { Sid: "UseArchiveKey", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: [KMS_KEY_ARN] },
        ],
      });
    });

    it("no IAM document in the stack grants a wildcard action", async () => {
      const documents = (await registered())
        .filter((r) => r.type.startsWith("aws:iam/"))
        .flatMap((r) => [r.inputs.policy, r.inputs.assumeRolePolicy].filter((p) => typeof p === "string"));
      assert.ok(documents.length >= 2, "expected the role's trust policy and its inline policy");
      for (const json of documents) assert.deepEqual(wildcardGrants(doc(json)), []);
    });

    it("no Allow statement of any role has `*` as its whole resource", async () => {
      const policies = await resourcesOf(T.rolePolicy);
      assert.equal(policies.length, 4, "the sync, events, subscription and verify functions' roles");
      for (const { name, inputs } of policies) {
        for (const s of doc(inputs.policy).Statement) {
          assert.ok(![s.Resource].flat().includes("*"), `${name}: ${s.Sid} is granted on *`);
        }
      }
    });

    it("unconditioned statements never use a resource wildcard beyond object keys and log streams", async () => {
      for (const { name, inputs } of await resourcesOf(T.rolePolicy)) {
        for (const s of doc(inputs.policy).Statement.filter((st) => !st.Condition)) {
          for (const resource of [s.Resource].flat() as string[]) {
            const wildcard = resource.replace(/\/\*$|:\*$/, "").includes("*");
            assert.ok(!wildcard, `${name}: ${s.Sid}: ${resource}`);
          }
        }
      }
    });
  });

  describe("the function", () => {
    it("is a Node.js 22 Lambda with the configured memory, timeout and one reserved execution", async () => {
      const { inputs } = await the(T.fn, "sync");
      assert.equal(inputs.name, FUNCTION_NAME);
      assert.equal(inputs.runtime, "nodejs22.x");
      assert.equal(inputs.handler, "__index.handler");
      assert.equal(inputs.memorySize, 512);
      assert.equal(inputs.timeout, 300);
      assert.equal(inputs.reservedConcurrentExecutions, 1);
    });

    it("gets its settings through exactly the environment variables the engine reads", async () => {
      assert.deepEqual((await the(T.fn, "sync")).inputs.environment, {
        variables: {
          ARCHIVE_BUCKET: BUCKET,
          RDS_INSTANCES: "prod-rds,reporting-rds",
          RDS_CLUSTERS: "orders-aurora",
          LOG_INCLUDE_PREFIXES: "error/,audit/",
          SYNC_CONCURRENCY: "6",
          ACTIVE_REFRESH_MINUTES: "30",
          CONNECT_TIMEOUT_SECONDS: "5",
          READ_TIMEOUT_SECONDS: "45",
          ARCHIVE_STAGE: "live",
        },
      });
    });

    it("logs to its own log group, created with the configured retention", async () => {
      const logGroup = await the(T.logGroup, "sync");
      assert.equal(logGroup.inputs.name, `/aws/lambda/${FUNCTION_NAME}`);
      assert.equal(logGroup.inputs.retentionInDays, 90);
      assert.deepEqual((await the(T.fn, "sync")).inputs.loggingConfig, { logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "INFO", logGroup: `/aws/lambda/${FUNCTION_NAME}` });
    });

    it("ships the serialized handler as __index.js", async () => {
      const assets = await (await the(T.fn, "sync")).inputs.code.assets;
      const text: string = await assets["__index.js"].text;
      assert.match(text, /exports\.handler = /);
      assert.match(text, /require\("@aws-sdk\/client-rds"\)/);
    });
  });

  describe("schedule wiring", () => {
    it("a rule with the configured expression", async () => {
      assert.equal((await the(T.rule, "schedule")).inputs.scheduleExpression, "rate(10 minutes)");
    });

    it("a target connecting that rule to the function", async () => {
      const { inputs } = await the(T.target, "schedule");
      assert.equal(inputs.rule, "schedule-rule");
      assert.equal(inputs.arn, FUNCTION_ARN);
    });

    it("a permission letting only that rule invoke the function", async () => {
      assert.deepEqual(
        (({ action, function: fn, principal, sourceArn }) => ({ action, fn, principal, sourceArn }))((await the(T.permission, "schedule")).inputs),
        {
          action: "lambda:InvokeFunction",
          fn: FUNCTION_NAME,
          principal: "events.amazonaws.com",
          sourceArn: `arn:aws:events:${REGION}:${ACCOUNT_ID}:rule/schedule-rule`,
        },
      );
    });

    it("drops ticks older than one interval instead of queueing them, and never retries a run", async () => {
      const { inputs } = await the(T.invokeConfig, "schedule");
      assert.equal(inputs.functionName, FUNCTION_NAME);
      assert.equal(inputs.maximumRetryAttempts, 0);
      assert.equal(inputs.maximumEventAgeInSeconds, 600);
    });
  });

  it("registers exactly these resources, by name (test/program/events, subscriptions and alarms check the new ones)", async () => {
    const names = (await registered()).map((r) => `${r.type} ${r.name}`).sort();
    const sync = [T.role, T.rolePolicy, T.logGroup, T.fn].map((t) => `${t} sync`);
    const schedule = [T.rule, T.target, T.permission, T.invokeConfig].map((t) => `${t} schedule`);
    const verify = [T.role, T.rolePolicy, T.logGroup, T.fn, T.rule, T.target, T.permission, T.invokeConfig].map((t) => `${t} verify`);
    const bucket = [T.bucket, T.publicAccessBlock, T.ownership, T.encryption, T.versioning, T.bucketPolicy, T.lifecycle].map((t) => `${t} archive`);
    const eventFunction = (name: string) =>
      [T.queue, T.logGroup, T.role, T.rolePolicy, T.fn, T.invokeConfig, "rds-log-archiver:index:EventFunction"].map((t) => `${t} ${name}`);
    const events = [...eventFunction("events"), ...[T.rule, T.queuePolicy, T.permission, T.target, "rds-log-archiver:index:RdsEvents"].map((t) => `${t} events`)];
    const logIds = ["aws-rds-instance-prod-rds-error-", "aws-rds-cluster-orders-aurora-audit-", "aws-lambda-rds-log-archiver-live-"].map((prefix) => {
      const permission = names.find((n) => n.startsWith(`${T.permission} logs-${prefix}`));
      assert.ok(permission, `no permission for ${prefix}`);
      return permission.slice(`${T.permission} `.length);
    });
    const logs = [
      ...eventFunction("logs"),
      ...[T.queuePolicy, "rds-log-archiver:index:LogSubscriptions"].map((t) => `${t} logs`),
      ...logIds.flatMap((id) => [`${T.permission} ${id}`, `aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter ${id}`]),
    ];
    const alarms = [
      "aws:sns/topic:Topic alarms",
      "aws:sns/topicSubscription:TopicSubscription alarms",
      "rds-log-archiver:index:RunAlarms alarms",
      ...["failures", "lag", "no-successful-run", "files-lost", "rejected", "events-dead-letters", "logs-dead-letters", "verify-missing", "verify-mismatched"].map(
        (a) => `aws:cloudwatch/metricAlarm:MetricAlarm alarms-${a}`,
      ),
    ];
    const dashboard = [T.dashboard, "rds-log-archiver:index:ArchiveDashboard"].map((t) => `${t} dashboard`);
    const athena = [
      ...[T.glueDatabase, T.glueTable, T.workgroup, "rds-log-archiver:index:ArchiveAthena"].map((t) => `${t} athena`),
      ...["errors-last-hour", "slowest-queries-of-a-day", "audit-events-by-user"].map((q) => `${T.namedQuery} athena-${q}`).filter((q) => !q.includes("slowest")),
    ];
    const components = ["ArchiveBucket archive", "SyncFunction sync", "SyncSchedule schedule", "VerifyFunction verify", "SyncSchedule verify", "RdsLogArchive rds-log-archiver"].map((c) => `rds-log-archiver:index:${c}`);
    assert.deepEqual(names, [...sync, ...schedule, ...verify, ...bucket, ...events, ...logs, ...alarms, ...dashboard, ...athena, ...components].sort());
  });
});
