// CloudWatch Logs subscriptions under mocks (setup.ts subscribes two RDS log groups and the sync function's own).
import * as assert from "node:assert/strict";
import { subscriptionId } from "../../infra/log-subscriptions";
import { PolicyDocument } from "../../infra/policies";
import { ACCOUNT_ID, DEFAULT_REGION as REGION } from "./mocks";
import { KMS_KEY_ARN, resourcesOf, the } from "./setup";
import { T } from "./resource-types";

const BUCKET_ARN = `arn:aws:s3:::${ACCOUNT_ID}-prod-rds-logs-${REGION}`;
const NAME = "rds-log-archiver-live-logs";
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${NAME}`;
const DLQ_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${NAME}-dlq`;
const SYNC_LOG_GROUP = "/aws/lambda/rds-log-archiver-live";
const GROUPS = ["/aws/rds/instance/prod-rds/error", "/aws/rds/cluster/orders-aurora/audit", SYNC_LOG_GROUP];

const logs = (type: string) => the(type, "logs");
const doc = (json: string): PolicyDocument => JSON.parse(json);

describe("CloudWatch Logs subscriptions under mocks", () => {
  it("one subscription filter per configured log group: every event, to the function", async () => {
    const filters = await resourcesOf(T.filter);
    assert.deepEqual(
      filters.map((f) => ({ resource: f.name, ...f.inputs }) as Record<string, string>).sort((a, b) => a.logGroup.localeCompare(b.logGroup)),
      [...GROUPS].sort().map((logGroup) => ({
        resource: `logs-${subscriptionId(logGroup)}`,
        name: NAME,
        logGroup,
        filterPattern: "",
        destinationArn: FUNCTION_ARN,
      })),
    );
  });

  it("a filter on a log group the stack creates waits for that log group; the others depend on no log group", async () => {
    const logGroupUrns = (deps: string[] | undefined) => (deps ?? []).filter((urn) => urn.includes(`$${T.logGroup}::`));
    for (const logGroup of GROUPS) {
      const filter = await the(T.filter, `logs-${subscriptionId(logGroup)}`);
      assert.ok(filter.dependencies, "dependencies were not recorded");
      const expected = logGroup === SYNC_LOG_GROUP ? [`${T.logGroup}::sync`] : [];
      assert.deepEqual(logGroupUrns(filter.dependencies).map((urn) => urn.slice(urn.lastIndexOf("$") + 1)), expected, logGroup);
    }
  });

  it("one permission per log group, for CloudWatch Logs in this region and that group's ARN only", async () => {
    for (const logGroup of GROUPS) {
      const id = subscriptionId(logGroup);
      const { inputs } = await the(T.permission, `logs-${id}`);
      assert.deepEqual(
        { action: inputs.action, function: inputs.function, principal: inputs.principal, sourceArn: inputs.sourceArn, statementId: inputs.statementId },
        {
          action: "lambda:InvokeFunction",
          function: NAME,
          principal: `logs.${REGION}.amazonaws.com`,
          sourceArn: `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${logGroup}:*`,
          statementId: `logs-${id}`,
        },
      );
    }
  });

  it("resource names and statement ids are stable, unique and valid for Lambda", () => {
    assert.match(subscriptionId("/aws/rds/instance/prod-rds/error"), /^aws-rds-instance-prod-rds-error-[0-9a-f]{8}$/);
    assert.notEqual(subscriptionId("/app/a.b"), subscriptionId("/app/a-b"));
    const long = subscriptionId(`/${"x".repeat(500)}#.`);
    assert.match(`logs-${long}`, /^[A-Za-z0-9_-]{1,100}$/);
  });

  it("the function: Node.js 22, its own log group, the bucket and stage in its environment", async () => {
    const { inputs } = await logs(T.fn);
    assert.equal(inputs.name, NAME);
    assert.equal(inputs.runtime, "nodejs22.x");
    assert.equal(inputs.role, "arn:aws:iam::123456789012:role/logs-role");
    assert.equal(inputs.timeout, 60);
    assert.deepEqual(inputs.environment, { variables: { ARCHIVE_BUCKET: `${ACCOUNT_ID}-prod-rds-logs-${REGION}`, ARCHIVE_STAGE: "live" } });
    assert.deepEqual(inputs.loggingConfig, { logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "INFO", logGroup: `/aws/lambda/${NAME}` });
    assert.equal((await logs(T.logGroup)).inputs.retentionInDays, 90);
    const text: string = await (await inputs.code.assets)["__index.js"].text;
    assert.match(text, /require\("@aws-sdk\/client-s3"\)/);
    assert.doesNotMatch(text, /require\("@aws-sdk\/client-rds"\)/);
  });

  it("the function may write cloudwatch/ and _rejected/ objects, log, dead-letter and encrypt: nothing else", async () => {
    const { inputs } = await logs(T.rolePolicy);
    assert.equal(inputs.role, "logs-role");
    assert.deepEqual(doc(inputs.policy), {
      Version: "2012-10-17",
      Statement: [
        { Sid: "PutObjects", Effect: "Allow", Action: ["s3:PutObject"], Resource: [`${BUCKET_ARN}/cloudwatch/*`, `${BUCKET_ARN}/_rejected/*`] },
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

  it("failed deliveries go to the function's own encrypted dead-letter queue after Lambda's retries", async () => {
    const queue = await logs(T.queue);
    assert.deepEqual(
      [queue.inputs.name, queue.inputs.sqsManagedSseEnabled, queue.inputs.messageRetentionSeconds],
      [`${NAME}-dlq`, true, 1209600],
    );
    const { inputs } = await logs(T.invokeConfig);
    assert.equal(inputs.maximumRetryAttempts, 2);
    assert.deepEqual(inputs.destinationConfig, { onFailure: { destination: DLQ_ARN } });
    assert.deepEqual(doc((await logs(T.queuePolicy)).inputs.policy).Statement.map((s) => [s.Sid, s.Effect]), [["DenyInsecureTransport", "Deny"]]);
  });
});
