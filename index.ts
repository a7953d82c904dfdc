/**
 * rds-log-archiver: one stack per stage (`live`, `stage`).
 *
 *   config   -> infra/config.ts          validated stack config; a bad value fails `pulumi preview`
 *   bucket   -> infra/archive-bucket.ts  <account>-<bucketName>-<region>, hardened, with lifecycle
 *   function -> infra/sync-function.ts   role + log group + CallbackFunction running archiver/
 *   schedule -> infra/schedule.ts        EventBridge rule, target and invoke permission
 */
import * as pulumi from "@pulumi/pulumi";
import { lookupTarget, resolveBucketName } from "./infra/account";
import { ArchiveBucket } from "./infra/archive-bucket";
import { functionNameFor, loadConfig } from "./infra/config";
import { SyncSchedule } from "./infra/schedule";
import { SyncFunction } from "./infra/sync-function";

const config = loadConfig();
const target = pulumi.output(lookupTarget());

const archive = new ArchiveBucket("archive", {
  bucketName: target.apply((t) => resolveBucketName(config, t)),
  kmsKeyArn: config.kmsKeyArn,
  versioning: config.versioning,
  lifecycle: {
    archivePrefixes: [...config.instances, ...config.clusters].map((id) => `${id}/`),
    transitionDays: config.transitionDays,
    storageClass: config.transitionStorageClass,
    expirationDays: config.expirationDays,
    noncurrentVersionExpirationDays: config.noncurrentVersionExpirationDays,
    versioning: config.versioning,
  },
});

const sync = new SyncFunction("sync", {
  functionName: functionNameFor(pulumi.getProject(), pulumi.getStack()),
  stage: pulumi.getStack(),
  target,
  bucketName: archive.bucket.bucket,
  bucketArn: archive.bucket.arn,
  kmsKeyArn: config.kmsKeyArn,
  settings: config,
  memorySize: config.memorySize,
  timeout: config.timeout,
  logRetentionDays: config.logRetentionDays,
});

new SyncSchedule("schedule", {
  scheduleExpression: config.schedule,
  functionName: sync.fn.name,
  functionArn: sync.fn.arn,
});

export const bucketName = archive.bucket.bucket;
export const bucketArn = archive.bucket.arn;
export const functionName = sync.fn.name;
export const functionArn = sync.fn.arn;
export const schedule = config.schedule;
