/**
 * The whole archive as one component: the bucket, the sync function and its schedule, the RDS events and log
 * subscriptions, the alarms, the dashboard and Athena. Each feature is one child component; the arguments are
 * plain values, checked by the same validator as the stack config before any resource is registered.
 *
 *   const archive = await RdsLogArchive.create("orders", { bucketName: "orders-rds-logs", instances: ["orders-db"],
 *     allowedAccountIds: ["123456789012"] });
 */
import * as pulumi from "@pulumi/pulumi";
import { archivePrefix } from "../archiver/layout/archive-key";
import { CLOUDWATCH_PREFIX, EVENTS_PREFIX } from "../archiver/layout/prefixes";
import { checkTarget, lookupTarget, type AwsTarget } from "./account";
import { RunAlarms } from "./alarms";
import { ArchiveAthena } from "./athena";
import { ArchiveBucket } from "./archive-bucket";
import {
  alarmIntervalSeconds,
  checkSubscribedLogGroups,
  ConfigError,
  functionNameFor,
  parseConfig,
  type ArchiverConfig,
  type ConfigSource,
  type KeyName,
  type ObjectLockMode,
  queueVisibilitySeconds,
  scheduleIntervalSeconds,
} from "./config";
import { ArchiveDashboard } from "./dashboard";
import { FanOut } from "./fan-out";
import type { ArchiveFunctionArgs } from "./function-args";
import { LogSubscriptions } from "./log-subscriptions";
import { RdsEvents } from "./rds-events";
import { SyncSchedule } from "./schedule";
import { SyncFunction } from "./sync-function";
import { VerifyFunction } from "./verify-function";

/** The settings of one archive: the stack config's keys as plain values; all but bucketName are optional. */
export type ArchiveSettings = Partial<Omit<ArchiverConfig, "bucketName" | "objectLockMode">> & {
  /** The middle part of the bucket name: `<accountId>-<bucketName>-<region>`. */
  bucketName: string;
  objectLockMode?: ObjectLockMode | Lowercase<ObjectLockMode> | "";
};

export interface RdsLogArchiveArgs extends ArchiveSettings {
  /** The accounts the archive may be deployed into; the credentials' account must be one of them. */
  allowedAccountIds: string[];
  /** The account and region deployed into: RdsLogArchive.create looks them up. */
  target: AwsTarget;
  /** The Stage metric dimension and the second part of every resource name. Default: the stack's name. */
  stage?: string;
  /** The first part of every resource name (`<project>-<stage>`). Default: the Pulumi project's name. */
  project?: string;
}

/**
 * The per-stage program's component (index.ts). Its children keep the names and the place at the top of the stack
 * they had before the component existed, through aliases, so a stack created earlier updates in place. Any other name
 * prefixes the children's names with it, so several archives fit in one program.
 */
export const STACK_ARCHIVE_NAME = "rds-log-archiver";

export class RdsLogArchive extends pulumi.ComponentResource {
  readonly config: ArchiverConfig;
  readonly bucket: ArchiveBucket;
  /** The scheduled function: the sync function, or with fanOut the dispatcher (its `fn`) and the workers. */
  readonly sync: SyncFunction | FanOut;
  readonly fanOut?: FanOut;
  readonly schedule: SyncSchedule;
  readonly events?: RdsEvents;
  readonly subscriptions?: LogSubscriptions;
  readonly verify?: VerifyFunction;
  readonly alarms: RunAlarms;
  readonly dashboard: ArchiveDashboard;
  readonly athena?: ArchiveAthena;

  /** Looks up the account and region, after checking the arguments, then creates the archive. */
  static async create(name: string, args: Omit<RdsLogArchiveArgs, "target">, opts?: pulumi.ComponentResourceOptions): Promise<RdsLogArchive> {
    validateSettings(args, argumentName(name));
    return new RdsLogArchive(name, { ...args, target: await lookupTarget() }, opts);
  }

  constructor(name: string, args: RdsLogArchiveArgs, opts?: pulumi.ComponentResourceOptions) {
    // Every check before the component registers: bad arguments create nothing.
    const plan = planArchive(name, args);
    super("rds-log-archiver:index:RdsLogArchive", name, {}, opts);
    const { config, names, target, stage } = plan;
    const child = (feature: string) => (name === STACK_ARCHIVE_NAME ? feature : `${name}-${feature}`);
    const parent: pulumi.ComponentResourceOptions = name === STACK_ARCHIVE_NAME ? { parent: this, aliases: [{ parent: pulumi.rootStackResource }] } : { parent: this };
    this.config = config;

    this.bucket = new ArchiveBucket(child("archive"), bucketArgs(plan), parent);
    const functionArgs = (functionName: string): ArchiveFunctionArgs => ({
      functionName, stage, target, bucketName: this.bucket.bucket.bucket, bucketArn: this.bucket.bucket.arn, kmsKeyArn: config.kmsKeyArn, logRetentionDays: config.logRetentionDays,
    });
    const intervalSeconds = alarmIntervalSeconds(config);
    if (names.fanOut) {
      this.fanOut = new FanOut(child("fan-out"), {
        ...functionArgs(names.sync), settings: config, ...names.fanOut, workerMemorySize: config.workerMemorySize, workerTimeout: config.workerTimeout,
        workerConcurrency: config.workerConcurrency, visibilityTimeoutSeconds: queueVisibilitySeconds(config), intervalSeconds,
      }, parent);
    }
    this.sync = this.fanOut ?? new SyncFunction(child("sync"), { ...functionArgs(names.sync), settings: config, memorySize: config.memorySize, timeout: config.timeout }, parent);
    this.schedule = new SyncSchedule(child("schedule"), { scheduleExpression: config.schedule, ruleName: names.sync, functionName: this.sync.fn.name, functionArn: this.sync.fn.arn }, parent);
    if (names.events) this.events = new RdsEvents(child("events"), { ...functionArgs(names.events), instances: config.instances, clusters: config.clusters }, parent);
    if (names.logs) {
      const stackLogGroups = [
        ...(this.fanOut ? this.fanOut.stackLogGroups : [{ name: `/aws/lambda/${names.sync}`, resource: this.sync.logGroup }]),
        ...(this.events && names.events ? [{ name: `/aws/lambda/${names.events}`, resource: this.events.logGroup }] : []),
      ];
      this.subscriptions = new LogSubscriptions(child("logs"), { ...functionArgs(names.logs), logGroups: config.logGroups, stackLogGroups }, parent);
    }
    if (names.verify) {
      this.verify = new VerifyFunction(child("verify"), { ...functionArgs(names.verify), settings: config, schedule: config.verifySchedule, timeout: config.timeout }, parent);
    }
    const deadLetterQueues = [
      ...(this.events ? [{ label: "events", queueName: this.events.deadLetterQueue.name }] : []),
      ...(this.subscriptions ? [{ label: "logs", queueName: this.subscriptions.deadLetterQueue.name }] : []),
      ...(this.fanOut ? [{ label: "fan-out", queueName: this.fanOut.deadLetterQueue.name }] : []),
    ];
    this.alarms = new RunAlarms(child("alarms"), {
      namePrefix: names.sync, stage, intervalSeconds, lagAlarmMinutes: config.lagAlarmMinutes, alarmEmail: config.alarmEmail,
      watchRejected: this.events !== undefined || this.subscriptions !== undefined, deadLetterQueues,
      ...(this.verify ? { verifyIntervalSeconds: scheduleIntervalSeconds(config.verifySchedule) ?? 7 * 24 * 3600 } : {}),
      backlogQueues: this.fanOut ? [{ label: "fan-out", queueName: this.fanOut.queue.name, maxAgeSeconds: 3 * intervalSeconds }] : [],
    }, parent);
    this.dashboard = new ArchiveDashboard(child("dashboard"), {
      dashboardName: names.sync, stage, target, intervalSeconds, lagAlarmMinutes: config.lagAlarmMinutes, deadLetterQueues,
      ...(this.fanOut ? { queueName: this.fanOut.queue.name } : {}),
    }, parent);
    if (config.athena) {
      this.athena = new ArchiveAthena(child("athena"), {
        namePrefix: names.sync, bucketName: plan.bucketName, kmsKeyArn: config.kmsKeyArn, groups: [...config.instances, ...config.clusters], include: config.include,
      }, { ...parent, dependsOn: [this.bucket] });
    }
    this.registerOutputs(this.outputs());
  }

  /** The per-stage program's stack outputs: always the first six, the others when their feature is on. */
  outputs(): Record<string, pulumi.Input<string>> {
    const { bucket, sync, fanOut, events, subscriptions, verify, athena } = this;
    return {
      bucketName: bucket.bucket.bucket,
      bucketArn: bucket.bucket.arn,
      functionName: sync.fn.name,
      functionArn: sync.fn.arn,
      schedule: this.config.schedule,
      alarmTopicArn: this.alarms.topic.arn,
      dashboardUrl: this.dashboard.url,
      ...(fanOut ? { workerFunctionName: fanOut.worker.fn.name, queueUrl: fanOut.queue.url, deadLetterQueueUrl: fanOut.deadLetterQueue.url } : {}),
      ...(events ? { eventsFunctionName: events.fn.name, eventsDeadLetterQueueUrl: events.deadLetterQueue.url } : {}),
      ...(verify ? { verifyFunctionName: verify.fn.name } : {}),
      ...(subscriptions ? { logsFunctionName: subscriptions.fn.name, logsDeadLetterQueueUrl: subscriptions.deadLetterQueue.url } : {}),
      ...(athena ? { athenaWorkgroup: athena.workgroup.name, athenaDatabase: athena.database.name, athenaTable: athena.table.name } : {}),
    };
  }
}

/** How a consumer's argument is named in an error: `RdsLogArchive "orders": args.instances`. */
export function argumentName(name: string): KeyName {
  return (key) => `RdsLogArchive "${name}": args.${key.replace(/^aws:/, "")}`;
}

/** The arguments as the config reader reads stack config: lists as JSON, numbers and booleans as text. */
export function settingsSource(settings: object): ConfigSource {
  return (key) => {
    const value = (settings as Record<string, unknown>)[key];
    if (value === undefined || value === null) return undefined;
    return Array.isArray(value) ? JSON.stringify(value) : String(value);
  };
}

/** The settings, validated as stack config is; a ConfigError names each bad argument. */
export function validateSettings(settings: ArchiveSettings & { allowedAccountIds?: string[] }, keyName: KeyName): ArchiverConfig {
  return parseConfig(settingsSource(settings), keyName);
}

export interface ArchivePlan {
  config: ArchiverConfig;
  target: AwsTarget;
  stage: string;
  /** The full bucket name. */
  bucketName: string;
  /** Function names; fan-out, events and logs only when the feature is on. */
  names: { sync: string; fanOut?: { dispatcherName: string; workerName: string }; events?: string; logs?: string; verify?: string };
}

/** Every check of the arguments, with the account and region; throws a ConfigError naming each bad argument. */
export function planArchive(name: string, args: RdsLogArchiveArgs): ArchivePlan {
  const keyName = argumentName(name);
  const config = validateSettings(args, keyName);
  const stage = args.stage ?? pulumi.getStack();
  const project = args.project ?? pulumi.getProject();
  const names = {
    sync: functionNameFor(project, stage),
    ...(config.fanOut ? { fanOut: { dispatcherName: functionNameFor(project, stage, "dispatch"), workerName: functionNameFor(project, stage, "worker") } } : {}),
    ...(config.archiveEvents ? { events: functionNameFor(project, stage, "events") } : {}),
    ...(config.logGroups.length > 0 ? { logs: functionNameFor(project, stage, "logs") } : {}),
    ...(config.verifySchedule ? { verify: functionNameFor(project, stage, "verify") } : {}),
  };
  if (names.logs) {
    try {
      checkSubscribedLogGroups(config.logGroups, [`/aws/lambda/${names.logs}`]);
    } catch (err) {
      throw err instanceof ConfigError ? new ConfigError(err.problems, keyName) : err;
    }
  }
  const bucketName = checkTarget(config, args.target, JSON.stringify(args.allowedAccountIds ?? []), keyName);
  return { config, target: args.target, stage, bucketName, names };
}

/** The bucket: its lifecycle covers every archived id's prefix, and those of the events and subscriptions when on. */
function bucketArgs({ config, bucketName, names }: ArchivePlan) {
  // Transition and expiry: never _state/ (the engine reads it every run) and never _rejected/ (kept in S3 Standard).
  const archivePrefixes = [
    ...[...config.instances, ...config.clusters].map(archivePrefix),
    ...(names.events ? [EVENTS_PREFIX] : []),
    ...(names.logs ? [CLOUDWATCH_PREFIX] : []),
  ];
  return {
    bucketName,
    kmsKeyArn: config.kmsKeyArn,
    versioning: config.versioning,
    ...(config.objectLockMode ? { objectLock: { mode: config.objectLockMode, retentionDays: config.objectLockRetentionDays } } : {}),
    lifecycle: {
      // An instance and a cluster may share an id, and so a prefix: one rule covers both.
      archivePrefixes: [...new Set(archivePrefixes)],
      transitionDays: config.transitionDays,
      storageClass: config.transitionStorageClass,
      expirationDays: config.expirationDays,
      noncurrentVersionExpirationDays: config.noncurrentVersionExpirationDays,
      versioning: config.versioning || config.objectLockMode !== "",
      queryResults: config.athena,
    },
  };
}
