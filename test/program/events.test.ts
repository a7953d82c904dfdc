// The RDS events archive under mocks (setup.ts: every option on, instances, a cluster and a KMS key).
import * as assert from "node:assert/strict";
import { PolicyDocument } from "../../infra/policies";
import { ACCOUNT_ID, DEFAULT_REGION as REGION } from "./mocks";
import { KMS_KEY_ARN, the } from "./setup";
import { T } from "./resource-types";

const BUCKET_ARN = `arn:aws:s3:::${ACCOUNT_ID}-prod-rds-logs-${REGION}`;
const NAME = "rds-log-archiver-live-events";
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${NAME}`;
const RULE_ARN = `arn:aws:events:${REGION}:${ACCOUNT_ID}:rule/events-rule`;
const DLQ_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${NAME}-dlq`;
const DLQ_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/${NAME}-dlq`;

const events = (type: string) => the(type, "events");
const doc = (json: string): PolicyDocument => JSON.parse(json);

describe("RDS events archive under mocks", () => {
  describe("the rule", () => {
    it("matches RDS instance and cluster events, with no identifiers in the pattern (the function filters them)", async () => {
      const { inputs } = await events(T.rule);
      assert.deepEqual(JSON.parse(inputs.eventPattern), {
        source: ["aws.rds"],
        "detail-type": ["RDS DB Instance Event", "RDS DB Cluster Event"],
      });
      assert.equal(inputs.scheduleExpression, undefined);
    });

    it("targets the events function, retries delivery for 24 hours, then dead-letters to the queue", async () => {
      const { inputs } = await events(T.target);
      assert.equal(inputs.rule, "events-rule");
      assert.equal(inputs.arn, FUNCTION_ARN);
      assert.deepEqual(inputs.retryPolicy, { maximumEventAgeInSeconds: 86400, maximumRetryAttempts: 185 });
      assert.deepEqual(inputs.deadLetterConfig, { arn: DLQ_ARN });
    });

    it("is the only invoker the function's permission allows", async () => {
      const { inputs } = await events(T.permission);
      assert.deepEqual(
        { action: inputs.action, function: inputs.function, principal: inputs.principal, sourceArn: inputs.sourceArn },
        { action: "lambda:InvokeFunction", function: NAME, principal: "events.amazonaws.com", sourceArn: RULE_ARN },
      );
    });
  });

  describe("the dead-letter queue", () => {
    it("is encrypted (SQS-managed keys, which EventBridge can write to) and keeps messages 14 days", async () => {
      const { inputs } = await events(T.queue);
      assert.equal(inputs.name, `${NAME}-dlq`);
      assert.equal(inputs.sqsManagedSseEnabled, true);
      assert.equal(inputs.messageRetentionSeconds, 14 * 24 * 3600);
    });

    it("lets EventBridge send messages for this rule only, and denies requests without TLS", async () => {
      const { inputs } = await events(T.queuePolicy);
      assert.equal(inputs.queueUrl, DLQ_URL);
      assert.deepEqual(doc(inputs.policy), {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "EventBridgeDeadLetters",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: ["sqs:SendMessage"],
            Resource: [DLQ_ARN],
            Condition: { ArnEquals: { "aws:SourceArn": RULE_ARN } },
          },
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: ["sqs:*"],
            Resource: [DLQ_ARN],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      });
    });

    it("also receives the function's own failed invocations, after Lambda's two retries", async () => {
      const { inputs } = await events(T.invokeConfig);
      assert.equal(inputs.functionName, NAME);
      assert.equal(inputs.maximumRetryAttempts, 2);
      assert.equal(inputs.maximumEventAgeInSeconds, 6 * 3600);
      assert.deepEqual(inputs.destinationConfig, { onFailure: { destination: DLQ_ARN } });
    });
  });

  describe("the function", () => {
    it("is a small Node.js 22 CallbackFunction with its own role and log group", async () => {
      const { inputs } = await events(T.fn);
      assert.equal(inputs.name, NAME);
      assert.equal(inputs.runtime, "nodejs22.x");
      assert.equal(inputs.handler, "__index.handler");
      assert.equal(inputs.role, "arn:aws:iam::123456789012:role/events-role");
      assert.equal(inputs.memorySize, 256);
      assert.equal(inputs.timeout, 30);
      assert.equal(inputs.reservedConcurrentExecutions, undefined);
      assert.deepEqual(inputs.loggingConfig, { logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "INFO", logGroup: `/aws/lambda/${NAME}` });
      const logGroup = await events(T.logGroup);
      assert.equal(logGroup.inputs.name, `/aws/lambda/${NAME}`);
      assert.equal(logGroup.inputs.retentionInDays, 90);
      assert.deepEqual(doc((await events(T.role)).inputs.assumeRolePolicy).Statement, [
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: ["sts:AssumeRole"] },
      ]);
    });

    it("gets the stage's ids, the bucket and the stage through its environment", async () => {
      assert.deepEqual((await events(T.fn)).inputs.environment, {
        variables: {
          ARCHIVE_BUCKET: `${ACCOUNT_ID}-prod-rds-logs-${REGION}`,
          RDS_INSTANCES: "prod-rds,reporting-rds",
          RDS_CLUSTERS: "orders-aurora",
          ARCHIVE_STAGE: "live",
        },
      });
    });

    it("ships a handler that requires the SDK in its factory", async () => {
      const text: string = await (await (await events(T.fn)).inputs.code.assets)["__index.js"].text;
      assert.match(text, /exports\.handler = /);
      assert.match(text, /require\("@aws-sdk\/client-rds"\)/);
      assert.match(text, /require\("@aws-sdk\/client-s3"\)/);
    });

    it("may write events/ and _rejected/ objects, resolve the configured cluster, log, dead-letter and encrypt: nothing else", async () => {
      const { inputs } = await events(T.rolePolicy);
      assert.equal(inputs.role, "events-role");
      assert.deepEqual(doc(inputs.policy), {
        Version: "2012-10-17",
        Statement: [
          { Sid: "PutObjects", Effect: "Allow", Action: ["s3:PutObject"], Resource: [`${BUCKET_ARN}/events/*`, `${BUCKET_ARN}/_rejected/*`] },
          {
            Sid: "ResolveClusterMembers",
            Effect: "Allow",
            Action: ["rds:DescribeDBClusters"],
            Resource: [`arn:aws:rds:${REGION}:${ACCOUNT_ID}:cluster:orders-aurora`],
          },
          {
            Sid: "WriteOwnLogGroup",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: [`arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/aws/lambda/${NAME}:*`],
          },
          { Sid: "SendFailedInvocations", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [DLQ_ARN] },
          { Sid: "UseArchiveKey", Effect: "Allow", Action: ["kms:GenerateDataKey"], Resource: [KMS_KEY_ARN] },
        ],
      });
    });
  });
});
