// The config that turns every option of the program on: loaded in-process by setup.ts, and in a child process
// by test/shipped (the deployment packages every serialized-handler test runs).
import { ACCOUNT_ID, DEFAULT_REGION } from "./mocks";

export const STACK = "live";
export const KMS_KEY_ARN = `arn:aws:kms:${DEFAULT_REGION}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** Raw config as the CLI hands it over: lists as JSON, numbers and booleans as strings. */
export const CONFIG: Record<string, string> = {
  "aws:region": DEFAULT_REGION,
  "aws:allowedAccountIds": JSON.stringify([ACCOUNT_ID]),
  "rds-log-archiver:bucketName": "prod-rds-logs",
  "rds-log-archiver:instances": JSON.stringify(["prod-rds", "reporting-rds"]),
  "rds-log-archiver:clusters": JSON.stringify(["orders-aurora"]),
  "rds-log-archiver:include": JSON.stringify(["error/", "audit/"]),
  "rds-log-archiver:schedule": "rate(10 minutes)",
  "rds-log-archiver:memorySize": "512",
  "rds-log-archiver:timeout": "300",
  "rds-log-archiver:concurrency": "6",
  "rds-log-archiver:activeRefreshMinutes": "30",
  "rds-log-archiver:connectTimeoutSeconds": "5",
  "rds-log-archiver:readTimeoutSeconds": "45",
  "rds-log-archiver:kmsKeyArn": KMS_KEY_ARN,
  "rds-log-archiver:versioning": "true",
  "rds-log-archiver:transitionDays": "60",
  "rds-log-archiver:transitionStorageClass": "GLACIER_IR",
  "rds-log-archiver:expirationDays": "400",
  "rds-log-archiver:noncurrentVersionExpirationDays": "14",
  "rds-log-archiver:logRetentionDays": "90",
  "rds-log-archiver:archiveEvents": "true",
  // The last is the stack's own sync function's log group.
  "rds-log-archiver:logGroups": JSON.stringify(["/aws/rds/instance/prod-rds/error", "/aws/rds/cluster/orders-aurora/audit", "/aws/lambda/rds-log-archiver-live"]),
  "rds-log-archiver:alarmEmail": "dba-oncall@example.com",
  "rds-log-archiver:lagAlarmMinutes": "90",
  "rds-log-archiver:athena": "true",
  // Object Lock conflicts with activeRefreshMinutes: test/program/rds-log-archive.test.ts turns it on with the other features.
};
