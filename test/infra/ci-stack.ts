// The stack the CI role tests describe: the live stack with every option on, as test/program/setup.ts deploys it
// (test/program/ci-roles.test.ts checks that the program's bucket and log groups are these).
import type { CiStack } from "../../infra/ci-roles";

const ACCOUNT_ID = "123456789012";
const REGION = "eu-west-1";

export const CI_STACK: CiStack = {
  repository: "acme/rds-log-archiver",
  project: "rds-log-archiver",
  stack: "live",
  accountId: ACCOUNT_ID,
  region: REGION,
  partition: "aws",
  bucketName: `${ACCOUNT_ID}-prod-rds-logs-${REGION}`,
  logGroups: ["/aws/rds/instance/prod-rds/error", "/aws/rds/cluster/orders-aurora/audit", "/aws/lambda/rds-log-archiver-live"],
  stateBucket: "acme-pulumi-state",
};
