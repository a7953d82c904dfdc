/**
 * Stack configuration: every key read, defaulted and validated, with all problems reported at once.
 * Everything here except `loadConfig` is pure, so the rules are tested without Pulumi.
 *
 *   reader.ts               raw values, lists, numbers, and the problem collector (ConfigError)
 *   names.ts                bucket, RDS ids, log groups, email, KMS key, function names
 *   schedule-expression.ts  rate() and cron() expressions
 *   defaults.ts             the config's shape, defaults and number ranges
 *   features.ts             Athena and Object Lock, and their conflicts with the other settings
 */
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS, FAN_OUT_VISIBILITY_FACTOR, LIMITS, LOG_RETENTION_DAYS, STORAGE_CLASSES, type ArchiverConfig } from "./defaults";
import {
  bucketNameProblems,
  configuredIdentifierProblems,
  emailProblem,
  includePrefixProblems,
  kmsKeyArnProblem,
  logGroupNameProblem,
} from "./names";
import { readFeatures } from "./features";
import { ConfigError, configReader, NAMESPACE, type ConfigReader, type ConfigSource, type KeyName } from "./reader";
import { scheduleExpressionProblem, scheduleIntervalSeconds } from "./schedule-expression";

export * from "./defaults";
export * from "./features";
export * from "./names";
export * from "./reader";
export * from "./schedule-expression";

/** Reads the stack's config under the project namespace. */
export function loadConfig(): ArchiverConfig {
  const config = new pulumi.Config(NAMESPACE);
  return parseConfig((key) => config.get(key));
}

const optional = (problem: string | undefined): string[] => (problem ? [problem] : []);

/** Parses and validates every key; throws a ConfigError listing every problem found. */
export function parseConfig(get: ConfigSource, keyName?: KeyName): ArchiverConfig {
  const r = configReader(get, keyName);
  const int = (key: keyof typeof LIMITS) => r.integer(key, DEFAULTS[key], LIMITS[key][0], LIMITS[key][1]);

  const bucketName = r.text("bucketName");
  for (const message of bucketNameProblems(bucketName)) r.report("bucketName", message);

  const instances = r.list("instances", configuredIdentifierProblems);
  const clusters = r.list("clusters", configuredIdentifierProblems);
  if (instances.length + clusters.length === 0) {
    r.report("instances", `name at least one DB instance here or one Aurora cluster in ${NAMESPACE}:clusters`);
  }

  const schedule = r.text("schedule", DEFAULTS.schedule);
  const scheduleProblem = scheduleExpressionProblem(schedule);
  if (scheduleProblem) r.report("schedule", scheduleProblem);

  // Set to "" (an empty string, not unset) to turn the scheduled verify off.
  const verifySchedule = get("verifySchedule")?.trim() === "" ? "" : r.text("verifySchedule", DEFAULTS.verifySchedule);
  const verifyScheduleProblem = verifySchedule === "" ? undefined : scheduleExpressionProblem(verifySchedule);
  if (verifyScheduleProblem) r.report("verifySchedule", `${verifyScheduleProblem}; or "" to turn the scheduled verify off`);

  const include = r.list("include", includePrefixProblems);

  const memorySize = int("memorySize");
  const timeout = int("timeout");
  const concurrency = int("concurrency");
  const activeRefreshMinutes = int("activeRefreshMinutes");
  const connectTimeoutSeconds = int("connectTimeoutSeconds");
  const readTimeoutSeconds = int("readTimeoutSeconds");
  if (readTimeoutSeconds >= timeout) {
    r.report("readTimeoutSeconds", `must be less than ${NAMESPACE}:timeout (${timeout} s), or one silent connection uses up the whole run, got ${readTimeoutSeconds}`);
  }
  const transitionDays = int("transitionDays");
  const expirationDays = int("expirationDays");
  const noncurrentVersionExpirationDays = int("noncurrentVersionExpirationDays");
  const logRetentionDays = int("logRetentionDays");
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    r.report("logRetentionDays", `CloudWatch Logs accepts only ${LOG_RETENTION_DAYS.join(", ")} (0: never expire), got ${logRetentionDays}`);
  }

  const transitionStorageClass = r.oneOf("transitionStorageClass", STORAGE_CLASSES, DEFAULTS.transitionStorageClass);
  if (transitionStorageClass?.endsWith("_IA") && transitionDays > 0 && transitionDays < 30) {
    r.report("transitionDays", `S3 moves objects to ${transitionStorageClass} no sooner than 30 days, got ${transitionDays}`);
  }
  if (expirationDays > 0 && transitionDays > 0 && expirationDays <= transitionDays) {
    r.report("expirationDays", `must be greater than ${NAMESPACE}:transitionDays (${transitionDays}), got ${expirationDays}`);
  }

  const versioning = r.boolean("versioning", DEFAULTS.versioning);

  const kmsKeyArn = r.text("kmsKeyArn");
  if (kmsKeyArn) for (const message of optional(kmsKeyArnProblem(kmsKeyArn))) r.report("kmsKeyArn", message);

  const archiveEvents = r.boolean("archiveEvents", DEFAULTS.archiveEvents);
  const logGroups = r.list("logGroups", (group) => optional(logGroupNameProblem(group)));

  const alarmEmail = r.text("alarmEmail");
  if (alarmEmail) for (const message of optional(emailProblem(alarmEmail))) r.report("alarmEmail", message);

  const lagAlarmMinutes = int("lagAlarmMinutes");
  const alarmIntervalMinutes = int("alarmIntervalMinutes");
  if (!scheduleProblem && alarmIntervalMinutes === 0 && scheduleIntervalSeconds(schedule) === undefined) {
    r.report(
      "alarmIntervalMinutes",
      `required with the cron schedule "${schedule}": set the longest gap between two runs in minutes, ` +
        "which the alarms use to tell a missed run from a quiet one",
    );
  }

  const fanOut = fanOutConfig(r, int, readTimeoutSeconds);
  const features = readFeatures(r, { instances, clusters, include, activeRefreshMinutes });

  r.check();
  return {
    ...features,
    bucketName,
    instances,
    clusters,
    schedule,
    verifySchedule,
    include,
    memorySize,
    timeout,
    concurrency,
    activeRefreshMinutes,
    connectTimeoutSeconds,
    readTimeoutSeconds,
    kmsKeyArn,
    versioning,
    transitionDays,
    transitionStorageClass: transitionStorageClass!,
    expirationDays,
    noncurrentVersionExpirationDays,
    logRetentionDays,
    archiveEvents,
    logGroups,
    alarmEmail,
    lagAlarmMinutes,
    alarmIntervalMinutes,
    ...fanOut,
  };
}

/** The fan-out keys; checked whether fanOut is on or not, so that turning it on later meets no surprise. */
function fanOutConfig(r: ConfigReader, int: (key: keyof typeof LIMITS) => number, readTimeoutSeconds: number) {
  const fanOut = r.boolean("fanOut", DEFAULTS.fanOut);
  const workerConcurrency = int("workerConcurrency");
  const workerMemorySize = int("workerMemorySize");
  const workerTimeout = int("workerTimeout");
  const queueVisibilityTimeout = int("queueVisibilityTimeout");
  const minimum = FAN_OUT_VISIBILITY_FACTOR * workerTimeout;
  if (queueVisibilityTimeout > 0 && queueVisibilityTimeout < minimum) {
    r.report(
      "workerTimeout",
      `${FAN_OUT_VISIBILITY_FACTOR} x ${workerTimeout} s exceeds ${NAMESPACE}:queueVisibilityTimeout (${queueVisibilityTimeout} s): ` +
        `a message would be handed to a second worker while the first still syncs its instance; lower it or raise ${NAMESPACE}:queueVisibilityTimeout to at least ${minimum}`,
    );
  }
  if (fanOut && readTimeoutSeconds >= workerTimeout) {
    r.report("readTimeoutSeconds", `must be less than ${NAMESPACE}:workerTimeout (${workerTimeout} s) with fanOut, got ${readTimeoutSeconds}`);
  }
  return { fanOut, workerConcurrency, workerMemorySize, workerTimeout, queueVisibilityTimeout };
}

/** The fan-out queue's visibility timeout in seconds: the configured one, or FAN_OUT_VISIBILITY_FACTOR x workerTimeout. */
export function queueVisibilitySeconds(config: Pick<ArchiverConfig, "workerTimeout" | "queueVisibilityTimeout">): number {
  return config.queueVisibilityTimeout || FAN_OUT_VISIBILITY_FACTOR * config.workerTimeout;
}

/**
 * The schedule interval the alarms assume, in seconds: alarmIntervalMinutes when set, else the rate's interval.
 * parseConfig guarantees one of the two exists.
 */
export function alarmIntervalSeconds(config: Pick<ArchiverConfig, "schedule" | "alarmIntervalMinutes">): number {
  if (config.alarmIntervalMinutes > 0) return config.alarmIntervalMinutes * 60;
  const interval = scheduleIntervalSeconds(config.schedule);
  if (interval === undefined) throw new ConfigError([{ key: "alarmIntervalMinutes", message: "required with a cron schedule" }]);
  return interval;
}
