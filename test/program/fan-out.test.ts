// The fan-out stack under mocks (every option on, fanOut): what is deployed instead of the sync function, how the
// queue, the mapping and the roles are set, and a visibility timeout too short for the worker failing by key.
import * as assert from "node:assert/strict";
import { FAN_OUT, programLoad } from "../shipped/packages";
import { loadProgram, type LoadResult } from "./harness";
import { ACCOUNT_ID, DEFAULT_REGION as REGION } from "./mocks";
import { T } from "./resource-types";
import type { PolicyDocument } from "../../infra/policies";

const PREFIX = "rds-log-archiver-live";
const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${PREFIX}-work.fifo`;
const DLQ_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${PREFIX}-dlq.fifo`;

describe("fan-out stack under mocks", function () {
  this.timeout(180_000);
  let loaded: LoadResult;
  const all = (type: string) => (loaded.resources ?? []).filter((r) => r.type === type);
  const one = (type: string, name: string) => {
    const found = all(type).find((r) => r.name === name);
    assert.ok(found, `no ${type} named ${name}: ${all(type).map((r) => r.name).join(", ")}`);
    return found;
  };
  const policyOf = (name: string): PolicyDocument => JSON.parse(one(T.rolePolicy, name).inputs.policy);
  const actionsOf = (doc: PolicyDocument) => doc.Statement.flatMap((s) => [s.Action ?? []].flat()).sort();

  before(async () => {
    loaded = await programLoad(FAN_OUT);
    assert.ok(loaded.ok, `${loaded.error}\n${loaded.stderr}`);
  });

  it("deploys a dispatcher and a worker instead of the sync function; the schedule invokes the dispatcher", () => {
    assert.deepEqual(all(T.fn).map((f) => f.name).sort(), ["dispatch", "events", "logs", "verify", "worker"]);
    assert.equal(one(T.fn, "dispatch").inputs.name, `${PREFIX}-dispatch`);
    const worker = one(T.fn, "worker").inputs;
    assert.deepEqual([worker.name, worker.memorySize, worker.timeout, worker.reservedConcurrentExecutions], [`${PREFIX}-worker`, 1769, 300, undefined]);
    assert.equal(one(T.target, "schedule").inputs.arn, `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${PREFIX}-dispatch`);
    assert.equal(one(T.rule, "schedule").inputs.scheduleExpression, "rate(10 minutes)");
    assert.equal(loaded.outputs?.queueUrl, `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/${PREFIX}-work.fifo`);
    const dashboard = JSON.stringify(JSON.parse(one(T.dashboard, "dashboard").inputs.dashboardBody));
    assert.ok(dashboard.includes(`"ApproximateAgeOfOldestMessage","QueueName","${PREFIX}-work.fifo"`), "the dashboard shows the work queue's age");
  });

  it("a FIFO queue and a FIFO dead-letter queue, encrypted, visibility 6 x the worker's timeout, redriven after 5 receives", () => {
    const queue = one(T.queue, "fan-out").inputs;
    assert.deepEqual(
      [queue.name, queue.fifoQueue, queue.sqsManagedSseEnabled, queue.contentBasedDeduplication, queue.visibilityTimeoutSeconds],
      [`${PREFIX}-work.fifo`, true, true, false, 1800],
    );
    assert.deepEqual(JSON.parse(queue.redrivePolicy), { deadLetterTargetArn: DLQ_ARN, maxReceiveCount: 5 });
    const dlq = one(T.queue, "fan-out-dead-letters").inputs;
    assert.deepEqual([dlq.name, dlq.fifoQueue, dlq.sqsManagedSseEnabled], [`${PREFIX}-dlq.fifo`, true, true]);
  });

  it("the worker's event source mapping: one message per invocation, partial batch responses, maximum concurrency from the stack", () => {
    const mapping = one("aws:lambda/eventSourceMapping:EventSourceMapping", "fan-out").inputs;
    assert.equal(mapping.eventSourceArn, QUEUE_ARN);
    assert.equal(mapping.functionName, `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${PREFIX}-worker`);
    assert.equal(mapping.batchSize, 1);
    assert.deepEqual(mapping.scalingConfig, { maximumConcurrency: 4 });
    assert.deepEqual(mapping.functionResponseTypes, ["ReportBatchItemFailures"]);
  });

  it("least privilege: the dispatcher only sends and resolves clusters; the worker only receives and deletes, and never sends", () => {
    assert.deepEqual(actionsOf(policyOf("dispatch")), ["logs:CreateLogStream", "logs:PutLogEvents", "rds:DescribeDBClusters", "sqs:SendMessage"]);
    assert.deepEqual(policyOf("dispatch").Statement.find((s) => s.Sid === "SendToWorkQueue")?.Resource, [QUEUE_ARN]);
    const worker = actionsOf(policyOf("worker"));
    assert.ok(worker.includes("sqs:ReceiveMessage") && worker.includes("sqs:DeleteMessage"));
    assert.ok(!worker.includes("sqs:SendMessage") && !worker.includes("rds:DescribeDBClusters"), worker.join(", "));
    assert.deepEqual(policyOf("worker").Statement.find((s) => s.Sid === "ConsumeWorkQueue")?.Resource, [QUEUE_ARN]);
  });

  it("alarms on a dead letter and on a backlog (the oldest message older than three schedule intervals)", () => {
    const byName = (n: string) => all(T.alarm).find((a) => a.inputs.name === `${PREFIX}-${n}`)?.inputs;
    const dead = byName("fan-out-dead-letters");
    assert.deepEqual([dead?.namespace, dead?.metricName, dead?.dimensions], ["AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: `${PREFIX}-dlq.fifo` }]);
    const backlog = byName("fan-out-backlog");
    assert.deepEqual(
      [backlog?.namespace, backlog?.metricName, backlog?.dimensions, backlog?.threshold],
      ["AWS/SQS", "ApproximateAgeOfOldestMessage", { QueueName: `${PREFIX}-work.fifo` }, 1800],
    );
  });

  it("a worker timeout the visibility timeout does not cover 6 times fails at preview, naming the key, with no resource", async () => {
    const bad = await loadProgram({
      ...FAN_OUT,
      preview: true,
      config: { ...FAN_OUT.config, "rds-log-archiver:workerTimeout": "900", "rds-log-archiver:queueVisibilityTimeout": "3600" },
    });
    assert.equal(bad.ok, false);
    assert.match(bad.error ?? "", /rds-log-archiver:workerTimeout: 6 x 900 s exceeds rds-log-archiver:queueVisibilityTimeout/);
    assert.deepEqual(bad.resources ?? [], []);
  });
});
