// The fan-out settings and role documents, pure (no Pulumi runtime).
import * as assert from "node:assert/strict";
import { ConfigError, DEFAULTS, parseConfig, queueVisibilitySeconds } from "../../infra/config";
import { DISPATCHER_QUEUE_ACTIONS, dispatcherPolicy, WORKER_QUEUE_ACTIONS, workerPolicy } from "../../infra/fan-out-policies";
import { syncFunctionPolicy, type PolicyDocument } from "../../infra/policies";
import { deployRolePolicy, previewRolePolicy } from "../../infra/ci-roles";
import { CI_STACK } from "./ci-stack";

type Raw = Record<string, string>;
const base: Raw = { bucketName: "prod-rds-logs", instances: '["prod-rds"]' };
const parse = (raw: Raw) => parseConfig((key) => ({ ...base, ...raw })[key]);

function rejects(raw: Raw, key: string, pattern: RegExp): void {
  assert.throws(() => parse(raw), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.ok(err.message.includes(`rds-log-archiver:${key}:`), `"${err.message}" does not name rds-log-archiver:${key}`);
    assert.match(err.message, pattern);
    return true;
  });
}

const actions = (doc: PolicyDocument) => doc.Statement.flatMap((s) => [s.Action ?? []].flat());

describe("infra: fan-out settings", () => {
  it("is off by default; on, the queue's visibility timeout is 6 x the worker's timeout unless set higher", () => {
    const off = parse({});
    assert.equal(off.fanOut, false);
    assert.equal(queueVisibilitySeconds(off), 6 * DEFAULTS.workerTimeout);
    const on = parse({ fanOut: "true", workerConcurrency: "50", workerMemorySize: "3538", workerTimeout: "600", queueVisibilityTimeout: "7200" });
    assert.deepEqual(
      [on.fanOut, on.workerConcurrency, on.workerMemorySize, on.workerTimeout, queueVisibilitySeconds(on)],
      [true, 50, 3538, 600, 7200],
    );
    assert.equal(queueVisibilitySeconds(parse({ fanOut: "true", workerTimeout: "120" })), 720);
  });

  it("refuses, naming the key, a worker timeout the visibility timeout does not cover 6 times", () => {
    rejects({ fanOut: "true", workerTimeout: "900", queueVisibilityTimeout: "3600" }, "workerTimeout", /6 x 900 s exceeds rds-log-archiver:queueVisibilityTimeout \(3600 s\).*at least 5400/);
    assert.equal(queueVisibilitySeconds(parse({ fanOut: "true", workerTimeout: "600", queueVisibilityTimeout: "3600" })), 3600);
  });

  it("refuses out-of-range values by key: concurrency below AWS's minimum of 2, memory, timeouts", () => {
    rejects({ workerConcurrency: "1" }, "workerConcurrency", /from 2 to 1000/);
    rejects({ workerConcurrency: "1001" }, "workerConcurrency", /from 2 to 1000/);
    rejects({ workerMemorySize: "64" }, "workerMemorySize", /from 128 to 10240/);
    rejects({ workerTimeout: "901" }, "workerTimeout", /from 1 to 900/);
    rejects({ queueVisibilityTimeout: "43201" }, "queueVisibilityTimeout", /from 0 to 43200/);
    rejects({ fanOut: "yes" }, "fanOut", /true or false/);
    rejects({ fanOut: "true", workerTimeout: "30", readTimeoutSeconds: "30" }, "readTimeoutSeconds", /less than rds-log-archiver:workerTimeout/);
  });
});

describe("infra: fan-out roles", () => {
  const target = { partition: "aws", region: "eu-west-1", accountId: "123456789012" };
  const queueArn = "arn:aws:sqs:eu-west-1:123456789012:rds-log-archiver-live-work.fifo";
  const logGroupArn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/x";
  const ids = { instances: ["prod-rds"], clusters: ["orders-aurora"] };
  const sync = { ...target, ...ids, bucketArn: "arn:aws:s3:::b", logGroupArn, kmsKeyArn: "" };

  it("the dispatcher can only send to the queue, resolve the stage's clusters and write its log group", () => {
    const doc = dispatcherPolicy({ ...target, clusters: ids.clusters, logGroupArn, queueArn });
    assert.deepEqual(actions(doc).sort(), [...DISPATCHER_QUEUE_ACTIONS, "rds:DescribeDBClusters", "logs:CreateLogStream", "logs:PutLogEvents"].sort());
    assert.deepEqual(doc.Statement.find((s) => s.Sid === "SendToWorkQueue")?.Resource, [queueArn]);
    assert.deepEqual(doc.Statement.find((s) => s.Sid === "ResolveClusterMembers")?.Resource, ["arn:aws:rds:eu-west-1:123456789012:cluster:orders-aurora"]);
    assert.ok(!actions(dispatcherPolicy({ ...target, clusters: [], logGroupArn, queueArn })).includes("rds:DescribeDBClusters"));
  });

  it("the worker can only receive and delete the queue's messages, with the sync role's access minus the cluster lookup", () => {
    const doc = workerPolicy({ ...sync, queueArn });
    const queueStatement = doc.Statement.find((s) => s.Sid === "ConsumeWorkQueue")!;
    assert.deepEqual(queueStatement.Action, WORKER_QUEUE_ACTIONS);
    assert.deepEqual(queueStatement.Resource, [queueArn]);
    assert.ok(!actions(doc).includes("sqs:SendMessage"));
    assert.ok(!actions(doc).includes("rds:DescribeDBClusters"), "the message names the group");
    const syncActions = new Set(actions(syncFunctionPolicy(sync)));
    for (const a of actions(doc)) assert.ok(syncActions.has(a) || WORKER_QUEUE_ACTIONS.includes(a), `${a} is more than the sync role has`);
    assert.deepEqual(
      doc.Statement.filter((s) => s.Sid !== "ConsumeWorkQueue"),
      syncFunctionPolicy(sync).Statement.filter((s) => s.Sid !== "ResolveClusterMembers"),
    );
  });
});

describe("infra: the CI roles of a fan-out stack", () => {
  const lambdaActions = (doc: PolicyDocument) => actions(doc).filter((a) => a.includes("EventSourceMapping"));

  it("may manage the event source mapping only for the stack's own functions; without fanOut, not at all", () => {
    assert.deepEqual(lambdaActions(deployRolePolicy(CI_STACK)), []);
    const deploy = deployRolePolicy({ ...CI_STACK, fanOut: true });
    assert.deepEqual(lambdaActions(deploy).sort(), ["lambda:CreateEventSourceMapping", "lambda:DeleteEventSourceMapping", "lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping"]);
    const own = `arn:aws:lambda:${CI_STACK.region}:${CI_STACK.accountId}:function:rds-log-archiver-live`;
    for (const st of deploy.Statement.filter((x) => [x.Action].flat().some((a) => String(a).includes("EventSourceMapping")))) {
      assert.deepEqual(st.Condition, { StringLike: { "lambda:FunctionArn": [own, `${own}-*`] } }, st.Sid);
    }
    assert.deepEqual(lambdaActions(previewRolePolicy({ ...CI_STACK, fanOut: true })), ["lambda:GetEventSourceMapping"]);
  });
});
