// The CI roles (infra/ci-roles.ts), evaluated against the program loaded under mocks (setup.ts, every option on):
// the deploy role can create every resource the program registers, under its name, and the preview role none.
// The documents' other properties are tested without a program in test/infra/ci-roles.test.ts.
import * as assert from "node:assert/strict";
import { deployRolePolicy, MANAGED_TYPES, previewRolePolicy } from "../../infra/ci-roles";
import { CI_STACK } from "../infra/ci-stack";
import { allows } from "../layout/iam-evaluate";
import { ACCOUNT_ID, DEFAULT_REGION as REGION } from "./mocks";
import { CONFIG, registered, stackOutputs, STACK } from "./setup";
import { T } from "./resource-types";

const logs = (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${name}`;

/** For each resource type: the action that creates it and the ARN it is authorized on, from its registered inputs. */
const CREATE: Record<string, { action: string; arn: (inputs: Record<string, any>) => string | undefined }> = {
  [T.bucket]: { action: "s3:CreateBucket", arn: (i) => i.bucket && `arn:aws:s3:::${i.bucket}` },
  [T.role]: { action: "iam:CreateRole", arn: (i) => i.name && `arn:aws:iam::${ACCOUNT_ID}:role/${i.name}` },
  [T.fn]: { action: "lambda:CreateFunction", arn: (i) => i.name && `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${i.name}` },
  [T.logGroup]: { action: "logs:CreateLogGroup", arn: (i) => i.name && `${logs(i.name)}:*` },
  [T.rule]: { action: "events:PutRule", arn: (i) => i.name && `arn:aws:events:${REGION}:${ACCOUNT_ID}:rule/${i.name}` },
  [T.queue]: { action: "sqs:CreateQueue", arn: (i) => i.name && `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${i.name}` },
  [T.topic]: { action: "sns:CreateTopic", arn: (i) => i.name && `arn:aws:sns:${REGION}:${ACCOUNT_ID}:${i.name}` },
  [T.alarm]: { action: "cloudwatch:PutMetricAlarm", arn: (i) => i.name && `arn:aws:cloudwatch:${REGION}:${ACCOUNT_ID}:alarm:${i.name}` },
  [T.filter]: { action: "logs:PutSubscriptionFilter", arn: (i) => `${logs(i.logGroup)}:*` },
  [T.dashboard]: { action: "cloudwatch:PutDashboard", arn: (i) => i.dashboardName && `arn:aws:cloudwatch::${ACCOUNT_ID}:dashboard/${i.dashboardName}` },
  [T.glueDatabase]: { action: "glue:CreateDatabase", arn: (i) => i.name && `arn:aws:glue:${REGION}:${ACCOUNT_ID}:database/${i.name}` },
  [T.glueTable]: { action: "glue:CreateTable", arn: (i) => i.name && `arn:aws:glue:${REGION}:${ACCOUNT_ID}:table/rds_log_archiver_live/${i.name}` },
  [T.workgroup]: { action: "athena:CreateWorkGroup", arn: (i) => i.name && `arn:aws:athena:${REGION}:${ACCOUNT_ID}:workgroup/${i.name}` },
};

/** Types the table holds that the all-options load cannot register: Object Lock conflicts with its activeRefreshMinutes. */
const NOT_IN_ALL_OPTIONS = [T.objectLock];

describe("CI roles against the registered resources", () => {
  const s = CI_STACK;

  it("test/infra describes the stack the program deploys: its account, region, bucket and subscribed log groups", async () => {
    assert.deepEqual(
      [s.accountId, s.region, s.stack, s.bucketName, s.logGroups],
      [ACCOUNT_ID, REGION, STACK, (await stackOutputs()).bucketName, JSON.parse(CONFIG["rds-log-archiver:logGroups"])],
    );
  });

  it("the table covers exactly the resource types the program registers", async () => {
    const types = new Set((await registered()).map((r) => r.type).filter((t) => !t.startsWith("rds-log-archiver:")));
    assert.deepEqual([...types, ...NOT_IN_ALL_OPTIONS].sort(), Object.keys(MANAGED_TYPES).sort());
  });

  it("the deploy role may create every resource the program registers, under the name the program gives it", async () => {
    const deploy = deployRolePolicy(s);
    const named = (await registered()).filter((r) => CREATE[r.type]);
    assert.ok(named.length >= 20, `only ${named.length} named resources`);
    for (const r of named) {
      const arn = CREATE[r.type].arn(r.inputs);
      assert.ok(arn, `${r.type} ${r.name} has no name of its own: the deploy role cannot be scoped to it`);
      assert.ok(allows(deploy, CREATE[r.type].action, arn), `${CREATE[r.type].action} on ${arn}`);
      assert.ok(!allows(previewRolePolicy(s), CREATE[r.type].action, arn), `the preview role may ${CREATE[r.type].action} on ${arn}`);
    }
    for (const role of (await registered()).filter((r) => r.type === T.role)) {
      const arn = CREATE[T.role].arn(role.inputs)!;
      assert.ok(allows(deploy, "iam:PassRole", arn) && allows(deploy, "iam:PutRolePolicy", arn), arn);
    }
  });
});
