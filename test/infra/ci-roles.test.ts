// The CI roles' documents (infra/ci-roles.ts) for a fixed stack, without a program: what each role may reach,
// and their trust. test/program/ci-roles.test.ts checks the deploy role against the resources the program registers.
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ciEnvironment, ciRoleName, ciTrustPolicy, CiStack, deployRolePolicy, previewRolePolicy } from "../../infra/ci-roles";
import type { PolicyDocument } from "../../infra/policies";
import { allows } from "../layout/iam-evaluate";
import { CI_STACK } from "./ci-stack";
import { REPO } from "./stack-files";

const { accountId: ACCOUNT_ID, region: REGION, stack: STACK, stateBucket: STATE_BUCKET } = CI_STACK;
const s = CI_STACK;
const logs = (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${name}`;

/** Actions that read archived data, dead letters, logs, or the databases. */
const DATA_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion", "sqs:ReceiveMessage", "logs:GetLogEvents", "logs:FilterLogEvents", "lambda:InvokeFunction", "rds:DownloadCompleteDBLogFile", "rds:DownloadDBLogFilePortion", "rds:DescribeDBLogFiles"];

const actionsOf = (doc: PolicyDocument) => doc.Statement.flatMap((s) => [s.Action ?? []].flat());

describe("CI role documents", () => {
  it("the deploy role reaches no other stack's resources, nor the CI roles themselves", () => {
    const deploy = deployRolePolicy(s);
    for (const other of ["rds-log-archiver-stage", "rds-log-archiver-live2", "rds-log-archiver-livex-events", ciRoleName(s, "deploy"), ciRoleName(s, "preview")]) {
      assert.ok(!allows(deploy, "iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT_ID}:role/${other}`), other);
      assert.ok(!allows(deploy, "lambda:UpdateFunctionCode", `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${other}`), other);
      assert.ok(!allows(deploy, "logs:DeleteLogGroup", `${logs(`/aws/lambda/${other}`)}:*`), other);
      assert.ok(!allows(deploy, "sqs:DeleteQueue", `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${other}-dlq`), other);
    }
    assert.ok(!allows(deploy, "s3:PutBucketPolicy", "arn:aws:s3:::123456789012-other-logs-eu-west-1"));
    assert.ok(!allows(deploy, "s3:DeleteBucket", `arn:aws:s3:::${s.bucketName}`), "CI must not delete the archive bucket");
    assert.ok(!allows(deploy, "logs:PutSubscriptionFilter", `${logs("/aws/rds/instance/other/error")}:*`), "only the configured log groups are subscribed");
    const passRole = deploy.Statement.find((st) => [st.Action].flat().includes("iam:PassRole"));
    assert.deepEqual(passRole?.Condition, { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } });
  });

  it("neither role can read archived objects, dead letters, log events or the databases", async () => {
    const archived = `arn:aws:s3:::${s.bucketName}/prod-rds/error/2024/10/01/12/prod-rds/postgresql.log.gz`;
    const resources = [archived, `arn:aws:s3:::${s.bucketName}/_state/prod-rds/prod-rds.json`, `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:rds-log-archiver-live-events-dlq`, `${logs("/aws/lambda/rds-log-archiver-live")}:*`, `${logs("/aws/rds/instance/prod-rds/error")}:*`, `arn:aws:rds:${REGION}:${ACCOUNT_ID}:db:prod-rds`, `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:rds-log-archiver-live`];
    for (const [name, doc] of [["preview", previewRolePolicy(s)], ["deploy", deployRolePolicy(s)]] as const) {
      for (const action of DATA_ACTIONS) for (const resource of resources) assert.ok(!allows(doc, action, resource), `${name}: ${action} on ${resource}`);
      assert.deepEqual(actionsOf(doc).filter((a) => a.startsWith("rds:") || a.startsWith("kms:")), [], name);
    }
  });

  it("the preview role only reads (its one write is the stack's lock in the state bucket), and deploy can do all it does", () => {
    const preview = previewRolePolicy(s);
    const writes = preview.Statement.filter((st) => [st.Action].flat().some((a) => !/^[a-z0-9]+:(Get|List|Describe)/.test(a!)));
    assert.deepEqual(writes.map((st) => [st.Sid, st.Resource]), [["TakeStackLock", [`arn:aws:s3:::${STATE_BUCKET}/.pulumi/locks/rds-log-archiver/live/*`]]]);
    const deploy = deployRolePolicy(s);
    for (const st of preview.Statement) {
      for (const action of [st.Action].flat()) for (const resource of [st.Resource].flat()) assert.ok(allows(deploy, action!, resource!), `${action} ${resource}`);
    }
  });

  it("state backend: each role reaches its own stack's state only; without a state bucket there is no S3 state access", () => {
    const state = (key: string) => `arn:aws:s3:::${STATE_BUCKET}/.pulumi/${key}`;
    const [preview, deploy] = [previewRolePolicy(s), deployRolePolicy(s)];
    assert.ok(allows(preview, "s3:GetObject", state("stacks/rds-log-archiver/live.json")));
    assert.ok(!allows(preview, "s3:PutObject", state("stacks/rds-log-archiver/live.json")));
    assert.ok(allows(deploy, "s3:PutObject", state("stacks/rds-log-archiver/live.json")));
    assert.ok(allows(deploy, "s3:PutObject", state("history/rds-log-archiver/live/live-1.history.json")));
    for (const doc of [preview, deploy]) assert.ok(!allows(doc, "s3:GetObject", state("stacks/rds-log-archiver/stage.json")));
    const cloud = { ...s, stateBucket: "" };
    assert.ok(!JSON.stringify([previewRolePolicy(cloud), deployRolePolicy(cloud)]).includes(STATE_BUCKET));
  });

  it("trust: GitHub's OIDC tokens of this repository and this stack's environment only", () => {
    for (const role of ["preview", "deploy"] as const) {
      const [statement] = ciTrustPolicy(s, role).Statement;
      assert.deepEqual(statement.Principal, { Federated: `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com` });
      assert.deepEqual(statement.Condition, {
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": `repo:acme/rds-log-archiver:environment:${ciEnvironment(STACK, role)}`,
        },
      });
    }
    assert.deepEqual([ciEnvironment("live", "preview"), ciEnvironment("live", "deploy")], ["live-preview", "live"]);
  });

  it("each policy fits IAM's 10,240-character limit for a role's inline policies with 36 subscribed log groups; beyond, a clear error", () => {
    const groups = (n: number) => ({ ...s, logGroups: Array.from({ length: n }, (_, i) => `/aws/rds/instance/database-number-${i}/postgresql`) });
    for (const doc of [previewRolePolicy(groups(36)), deployRolePolicy(groups(36))]) {
      const size = JSON.stringify(doc).length;
      assert.ok(size <= 10_240, `${size} characters`);
    }
    assert.throws(() => deployRolePolicy(groups(60)), /the policy for stack live is \d+ characters, over IAM's 10240 .* 60 subscribed log groups/);
  });

  it("npm run ci-roles prints the documents for a committed stack file, and refuses a bad --repo", async function () {
    this.timeout(60_000);
    const run = (args: string[]) => promisify(execFile)(process.execPath, ["-r", "ts-node/register/transpile-only", "bootstrap/ci-roles.ts", ...args], { cwd: REPO });
    const { stdout } = await run(["--repo", "acme/rds-log-archiver", "--stack", "stage", "--print", "deploy-policy"]);
    const stage: CiStack = { ...s, stack: "stage", region: "us-east-1", bucketName: "123456789012-stage-rds-logs-us-east-1", logGroups: [], stateBucket: "" };
    assert.deepEqual(JSON.parse(stdout), deployRolePolicy(stage));
    await assert.rejects(run(["--repo", "acme", "--stack", "live"]), (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 2);
      assert.match(err.stderr, /--repo must be <owner>\/<name>, got "acme"/);
      return true;
    });
  });
});
