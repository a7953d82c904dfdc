/** The stack config's shape, its defaults and the ranges of its numbers. */
import { SETTING_RANGES } from "../../archiver/settings";

export const STORAGE_CLASSES = ["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];

/** Retention periods CloudWatch Logs accepts (0: never expire). */
export const LOG_RETENTION_DAYS = [0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export interface ArchiverConfig {
  /** The middle part of the bucket name: `<accountId>-<bucketName>-<region>`. */
  bucketName: string;
  instances: string[];
  clusters: string[];
  schedule: string;
  /** The scheduled verify's EventBridge schedule; "" turns it off. */
  verifySchedule: string;
  include: string[];
  memorySize: number;
  timeout: number;
  concurrency: number;
  activeRefreshMinutes: number;
  connectTimeoutSeconds: number;
  readTimeoutSeconds: number;
  /** Empty: SSE-S3. */
  kmsKeyArn: string;
  versioning: boolean;
  /** 0: objects stay in S3 Standard. */
  transitionDays: number;
  transitionStorageClass: StorageClass;
  /** 0: objects never expire. */
  expirationDays: number;
  /** Used only with versioning: days a replaced or deleted version is kept. */
  noncurrentVersionExpirationDays: number;
  logRetentionDays: number;
  /** Archive the stage's RDS events (EventBridge) under events/. */
  archiveEvents: boolean;
  /** CloudWatch Logs groups whose events are archived under cloudwatch/ through a subscription filter. */
  logGroups: string[];
  /** Empty: the alarm topic has no subscription. */
  alarmEmail: string;
  /** The archive-lag alarm fires above this many minutes. */
  lagAlarmMinutes: number;
  /**
   * The schedule interval the run-health alarms assume, in minutes. 0: the rate() expression's interval.
   * Required (at least 1) with a cron() schedule.
   */
  alarmIntervalMinutes: number;
  /** Fan out over SQS (dispatcher, FIFO queue, workers) instead of the single sync function. */
  fanOut: boolean;
  /** With fanOut: the event source mapping's maximum concurrency. */
  workerConcurrency: number;
  workerMemorySize: number;
  workerTimeout: number;
  /** With fanOut: the queue's visibility timeout in seconds; 0: FAN_OUT_VISIBILITY_FACTOR x workerTimeout. */
  queueVisibilityTimeout: number;
  /** Deploy a Glue table over the archive with partition projection, an Athena workgroup and saved queries. */
  athena: boolean;
  /** Empty: no Object Lock. Otherwise every new object version is locked in this mode (implies versioning). */
  objectLockMode: ObjectLockMode | "";
  /** Days each new object version stays locked; required (at least 1) with objectLockMode. */
  objectLockRetentionDays: number;
}

/** AWS's guidance for an SQS event source mapping: a visibility timeout of at least 6 times the function's timeout. */
export const FAN_OUT_VISIBILITY_FACTOR = 6;

export const OBJECT_LOCK_MODES = ["GOVERNANCE", "COMPLIANCE"] as const;
export type ObjectLockMode = (typeof OBJECT_LOCK_MODES)[number];

/** The defaults Pulumi.yaml declares; the program applies the same ones (test/program checks they agree). */
export const DEFAULTS: Omit<ArchiverConfig, "bucketName"> = {
  instances: [],
  clusters: [],
  schedule: "rate(5 minutes)",
  verifySchedule: "rate(7 days)",
  include: [],
  memorySize: 256,
  timeout: 600,
  concurrency: 4,
  activeRefreshMinutes: 0,
  connectTimeoutSeconds: 10,
  readTimeoutSeconds: 60,
  kmsKeyArn: "",
  versioning: false,
  transitionDays: 30,
  transitionStorageClass: "STANDARD_IA",
  expirationDays: 0,
  noncurrentVersionExpirationDays: 30,
  logRetentionDays: 30,
  archiveEvents: true,
  logGroups: [],
  alarmEmail: "",
  lagAlarmMinutes: 60,
  alarmIntervalMinutes: 0,
  fanOut: false,
  workerConcurrency: 10,
  workerMemorySize: 1024,
  workerTimeout: 900,
  queueVisibilityTimeout: 0,
  athena: false,
  objectLockMode: "",
  objectLockRetentionDays: 0,
};

/** The range each whole-number key accepts. */
export const LIMITS = {
  // the function
  memorySize: [128, 10240], timeout: [1, 900], concurrency: SETTING_RANGES.concurrency, activeRefreshMinutes: SETTING_RANGES.activeRefreshMinutes,
  connectTimeoutSeconds: [1, 300], readTimeoutSeconds: [1, 900],
  // the bucket's lifecycle and the log groups
  transitionDays: [0, 36500], expirationDays: [0, 36500], noncurrentVersionExpirationDays: [1, 36500], logRetentionDays: [0, 3653],
  // the alarms
  lagAlarmMinutes: [1, 10080], alarmIntervalMinutes: [0, 10080],
  // fan-out (MaximumConcurrency is at least 2; a visibility timeout is at most 12 hours)
  workerConcurrency: [2, 1000], workerMemorySize: [128, 10240], workerTimeout: [1, 900], queueVisibilityTimeout: [0, 43200],
  // Object Lock
  objectLockRetentionDays: [0, 36500],
} as const satisfies Partial<Record<keyof typeof DEFAULTS, readonly [number, number]>>;
