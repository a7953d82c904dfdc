/**
 * rds-log-archiver: one stack per stage (`live`, `stage`). The program reads the stack config and creates one
 * RdsLogArchive (infra/rds-log-archive.ts), the component another Pulumi program can create too.
 *
 *   config    -> infra/config/              validated stack config; a bad value fails `pulumi preview`
 *   archive   -> infra/rds-log-archive.ts   the component; each feature is one child:
 *     bucket    -> infra/archive-bucket.ts    <account>-<bucketName>-<region>, hardened, with lifecycle and Object Lock
 *     function  -> infra/sync-function.ts     the Lambda building block (infra/lambda-function.ts) running archiver/
 *     fan-out   -> infra/fan-out.ts           instead of the function (fanOut): dispatcher, FIFO queue, workers
 *     schedule  -> infra/schedule.ts          EventBridge rule, target and invoke permission
 *     events    -> infra/rds-events.ts        RDS events rule + function + dead-letter queue (archiveEvents)
 *     logs      -> infra/log-subscriptions.ts one subscription filter per log group + function (logGroups)
 *     verify    -> infra/verify-function.ts   the scheduled verify, its read-only role and schedule (verifySchedule)
 *     alarms    -> infra/alarms.ts            SNS topic and run-health alarms on the functions' EMF metrics
 *     dashboard -> infra/dashboard.ts         a CloudWatch dashboard of the same metrics
 *     athena    -> infra/athena.ts            Glue table with partition projection, workgroup, saved queries (athena)
 *
 * The entry is async: it resolves the account and region and runs every config check before the first
 * resource is registered, so a bad value creates nothing, even under `pulumi up --skip-preview`.
 */
import * as pulumi from "@pulumi/pulumi";
import { checkTarget, loadAllowedAccountIds, lookupTarget } from "./infra/account";
import { checkSubscribedLogGroups, functionNameFor, loadConfig, parseList } from "./infra/config";
import { RdsLogArchive, STACK_ARCHIVE_NAME } from "./infra/rds-log-archive";

export = async () => {
  const config = loadConfig();
  const project = pulumi.getProject();
  const stage = pulumi.getStack();
  if (config.logGroups.length > 0) checkSubscribedLogGroups(config.logGroups, [`/aws/lambda/${functionNameFor(project, stage, "logs")}`]);
  const target = await lookupTarget();
  const allowedAccountIds = loadAllowedAccountIds();
  checkTarget(config, target, allowedAccountIds);
  // Every check has passed, named by its stack config key: from here on, resources.

  const archive = new RdsLogArchive(STACK_ARCHIVE_NAME, { ...config, allowedAccountIds: parseList(allowedAccountIds) ?? [], target, stage, project });
  return archive.outputs();
};
