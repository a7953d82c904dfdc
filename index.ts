/**
 * rds-log-archiver: one stack per stage (`live`, `stage`).
 *
 *   config   -> infra/config/            validated stack config; a bad value fails `pulumi preview`
 *   bucket   -> infra/archive-bucket.ts  <account>-<bucketName>-<region>, hardened, with lifecycle
 *   function -> infra/sync-function.ts   the Lambda building block (infra/lambda-function.ts) running archiver/
 *   schedule -> infra/schedule.ts        EventBridge rule, target and invoke permission
 *   events   -> infra/rds-events.ts      RDS events rule + function + dead-letter queue (archiveEvents)
 *   logs     -> infra/log-subscriptions.ts  one subscription filter per log group + function (logGroups)
 *   verify   -> infra/verify-function.ts  the scheduled verify, its read-only role and schedule (verifySchedule)
 *   alarms   -> infra/alarms.ts          SNS topic and run-health alarms on the functions' EMF metrics
 *
 * The entry is async: it resolves the account and region and runs every config check before the first
 * resource is registered, so a bad value creates nothing, even under `pulumi up --skip-preview`.
 */
import * as pulumi from "@pulumi/pulumi";
import { archivePrefix } from "./archiver/layout/archive-key";
import { CLOUDWATCH_PREFIX, EVENTS_PREFIX } from "./archiver/layout/prefixes";
import { checkTarget, loadAllowedAccountIds, lookupTarget } from "./infra/account";
import { RunAlarms } from "./infra/alarms";
import { ArchiveBucket } from "./infra/archive-bucket";
import type { ArchiveFunctionArgs } from "./infra/function-args";
import { alarmIntervalSeconds, checkSubscribedLogGroups, functionNameFor, loadConfig, scheduleIntervalSeconds } from "./infra/config";
import { LogSubscriptions } from "./infra/log-subscriptions";
import { RdsEvents } from "./infra/rds-events";
import { SyncSchedule } from "./infra/schedule";
import { SyncFunction } from "./infra/sync-function";
import { VerifyFunction } from "./infra/verify-function";

export = async () => {
  const config = loadConfig();
  const project = pulumi.getProject();
  const stage = pulumi.getStack();
  const syncFunctionName = functionNameFor(project, stage);
  const subscribeLogs = config.logGroups.length > 0;
  const eventsName = config.archiveEvents ? functionNameFor(project, stage, "events") : "";
  const logsName = subscribeLogs ? functionNameFor(project, stage, "logs") : "";
  const verifyName = config.verifySchedule ? functionNameFor(project, stage, "verify") : "";
  if (subscribeLogs) checkSubscribedLogGroups(config.logGroups, [`/aws/lambda/${logsName}`]);
  const alarmInterval = alarmIntervalSeconds(config);
  const target = await lookupTarget();
  const fullBucketName = checkTarget(config, target, loadAllowedAccountIds());
  // Every check has passed: from here on, resources.

  // Transition and expiry: every archived id's prefix, and the events and subscription prefixes when those are on.
  // Never _state/ (the engine reads it every run) and never _rejected/ (kept in S3 Standard for inspection).
  const archivePrefixes = [
    ...[...config.instances, ...config.clusters].map(archivePrefix),
    ...(config.archiveEvents ? [EVENTS_PREFIX] : []),
    ...(subscribeLogs ? [CLOUDWATCH_PREFIX] : []),
  ];

  const archive = new ArchiveBucket("archive", {
    bucketName: fullBucketName,
    kmsKeyArn: config.kmsKeyArn,
    versioning: config.versioning,
    lifecycle: {
      // An instance and a cluster may share an id, and so a prefix: one rule covers both.
      archivePrefixes: [...new Set(archivePrefixes)],
      transitionDays: config.transitionDays,
      storageClass: config.transitionStorageClass,
      expirationDays: config.expirationDays,
      noncurrentVersionExpirationDays: config.noncurrentVersionExpirationDays,
      versioning: config.versioning,
    },
  });

  /** What every function of the stack is given. */
  const functionArgs = (functionName: string): ArchiveFunctionArgs => ({
    functionName,
    stage,
    target,
    bucketName: archive.bucket.bucket,
    bucketArn: archive.bucket.arn,
    kmsKeyArn: config.kmsKeyArn,
    logRetentionDays: config.logRetentionDays,
  });

  const sync = new SyncFunction("sync", {
    ...functionArgs(syncFunctionName),
    settings: config,
    memorySize: config.memorySize,
    timeout: config.timeout,
  });

  new SyncSchedule("schedule", {
    scheduleExpression: config.schedule,
    ruleName: syncFunctionName,
    functionName: sync.fn.name,
    functionArn: sync.fn.arn,
  });

  const events = config.archiveEvents
    ? new RdsEvents("events", { ...functionArgs(eventsName), instances: config.instances, clusters: config.clusters })
    : undefined;

  const subscriptions = subscribeLogs
    ? new LogSubscriptions("logs", {
        ...functionArgs(logsName),
        logGroups: config.logGroups,
        stackLogGroups: [
          { name: `/aws/lambda/${syncFunctionName}`, resource: sync.logGroup },
          ...(events ? [{ name: `/aws/lambda/${eventsName}`, resource: events.logGroup }] : []),
        ],
      })
    : undefined;

  const verify = config.verifySchedule
    ? new VerifyFunction("verify", { ...functionArgs(verifyName), settings: config, schedule: config.verifySchedule, timeout: config.timeout })
    : undefined;

  const alarms = new RunAlarms("alarms", {
    namePrefix: syncFunctionName,
    stage,
    intervalSeconds: alarmInterval,
    lagAlarmMinutes: config.lagAlarmMinutes,
    alarmEmail: config.alarmEmail,
    watchRejected: events !== undefined || subscriptions !== undefined,
    deadLetterQueues: [
      ...(events ? [{ label: "events", queueName: events.deadLetterQueue.name }] : []),
      ...(subscriptions ? [{ label: "logs", queueName: subscriptions.deadLetterQueue.name }] : []),
    ],
    ...(verify ? { verifyIntervalSeconds: scheduleIntervalSeconds(config.verifySchedule) ?? 7 * 24 * 3600 } : {}),
  });

  return {
    bucketName: archive.bucket.bucket,
    bucketArn: archive.bucket.arn,
    functionName: sync.fn.name,
    functionArn: sync.fn.arn,
    schedule: config.schedule,
    alarmTopicArn: alarms.topic.arn,
    // Only when the feature is on.
    ...(events ? { eventsFunctionName: events.fn.name, eventsDeadLetterQueueUrl: events.deadLetterQueue.url } : {}),
    ...(verify ? { verifyFunctionName: verify.fn.name } : {}),
    ...(subscriptions ? { logsFunctionName: subscriptions.fn.name, logsDeadLetterQueueUrl: subscriptions.deadLetterQueue.url } : {}),
  };
};
