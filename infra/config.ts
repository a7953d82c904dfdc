/**
 * Stack configuration: read, default and validate.
 *
 * Everything here except `loadConfig` is pure, so the rules are unit-tested without Pulumi. Every
 * problem is reported with the full config key (`rds-log-archiver:<key>`), and all problems are
 * reported at once. The errors are `pulumi.RunError`s: the CLI prints the message without a stack
 * trace, and `pulumi preview` fails before any resource is planned.
 */
import * as pulumi from "@pulumi/pulumi";
import { RESERVED_PREFIXES } from "../archiver/layout/prefixes";

export const NAMESPACE = "rds-log-archiver";

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
}

/** The defaults Pulumi.yaml declares; the program applies the same ones (test/program checks they agree). */
export const DEFAULTS: Omit<ArchiverConfig, "bucketName"> = {
  instances: [],
  clusters: [],
  schedule: "rate(5 minutes)",
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
};

export interface ConfigProblem {
  key: string;
  message: string;
}

/** One or more invalid config values. The message names each key. */
export class ConfigError extends pulumi.RunError {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      problems.length === 1
        ? describe(problems[0])
        : `invalid configuration:\n${problems.map((p) => `  - ${describe(p)}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/** A key with its own namespace (`aws:allowedAccountIds`) is shown as is; the others under the project's. */
function describe(p: ConfigProblem): string {
  return `${p.key.includes(":") ? p.key : `${NAMESPACE}:${p.key}`}: ${p.message}`;
}

/** Reads a raw config value the way `pulumi.Config.get` returns it: a string, or undefined when unset. */
export type ConfigSource = (key: string) => string | undefined;

/** Reads the stack's config under the project namespace. */
export function loadConfig(): ArchiverConfig {
  const config = new pulumi.Config(NAMESPACE);
  return parseConfig((key) => config.get(key));
}

/** Parses and validates every key; throws a ConfigError listing every problem found. */
export function parseConfig(get: ConfigSource): ArchiverConfig {
  const problems: ConfigProblem[] = [];
  const report = (key: string, message: string) => problems.push({ key, message });

  const bucketName = (get("bucketName") ?? "").trim();
  for (const message of bucketNameProblems(bucketName)) report("bucketName", message);

  const instances = identifierList("instances", get, report);
  const clusters = identifierList("clusters", get, report);
  if (instances.length + clusters.length === 0) {
    report("instances", `name at least one DB instance here or one Aurora cluster in ${NAMESPACE}:clusters`);
  }

  const schedule = (get("schedule") ?? "").trim() || DEFAULTS.schedule;
  const scheduleProblem = scheduleExpressionProblem(schedule);
  if (scheduleProblem) report("schedule", scheduleProblem);

  const include = stringList("include", get, report);
  const seenPrefixes = new Set<string>();
  for (const prefix of include) {
    if (/[\s,]/.test(prefix)) report("include", `"${prefix}" must not contain commas or white space`);
    if (seenPrefixes.has(prefix)) report("include", `"${prefix}" is listed more than once`);
    seenPrefixes.add(prefix);
  }

  const int = (key: keyof typeof DEFAULTS, min: number, max: number) =>
    integer(key, get(key), DEFAULTS[key] as number, min, max, report);
  const memorySize = int("memorySize", 128, 10240);
  const timeout = int("timeout", 1, 900);
  const concurrency = int("concurrency", 1, 32);
  const activeRefreshMinutes = int("activeRefreshMinutes", 0, 10080);
  const connectTimeoutSeconds = int("connectTimeoutSeconds", 1, 300);
  const readTimeoutSeconds = int("readTimeoutSeconds", 1, 900);
  if (readTimeoutSeconds >= timeout) {
    report("readTimeoutSeconds", `must be less than ${NAMESPACE}:timeout (${timeout} s), or one silent connection uses up the whole run, got ${readTimeoutSeconds}`);
  }
  const transitionDays = int("transitionDays", 0, 36500);
  const expirationDays = int("expirationDays", 0, 36500);
  const noncurrentVersionExpirationDays = int("noncurrentVersionExpirationDays", 1, 36500);
  const logRetentionDays = int("logRetentionDays", 0, 3653);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    report("logRetentionDays", `CloudWatch Logs accepts only ${LOG_RETENTION_DAYS.join(", ")} (0: never expire), got ${logRetentionDays}`);
  }

  const transitionStorageClass = ((get("transitionStorageClass") ?? "").trim() || DEFAULTS.transitionStorageClass) as StorageClass;
  if (!STORAGE_CLASSES.includes(transitionStorageClass)) {
    report("transitionStorageClass", `expected one of ${STORAGE_CLASSES.join(", ")}, got "${transitionStorageClass}"`);
  } else if (transitionDays > 0 && transitionDays < 30 && transitionStorageClass.endsWith("_IA")) {
    report("transitionDays", `S3 moves objects to ${transitionStorageClass} no sooner than 30 days, got ${transitionDays}`);
  }
  if (expirationDays > 0 && transitionDays > 0 && expirationDays <= transitionDays) {
    report("expirationDays", `must be greater than ${NAMESPACE}:transitionDays (${transitionDays}), got ${expirationDays}`);
  }

  const versioning = boolean("versioning", get("versioning"), DEFAULTS.versioning, report);

  const kmsKeyArn = (get("kmsKeyArn") ?? "").trim();
  if (kmsKeyArn && !KMS_KEY_ARN.test(kmsKeyArn)) {
    report("kmsKeyArn", `expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>), got "${kmsKeyArn}"`);
  }

  const archiveEvents = boolean("archiveEvents", get("archiveEvents"), DEFAULTS.archiveEvents, report);

  const logGroups = stringList("logGroups", get, report);
  const seenGroups = new Set<string>();
  for (const group of logGroups) {
    const problem = logGroupNameProblem(group);
    if (problem) report("logGroups", problem);
    if (seenGroups.has(group)) report("logGroups", `"${group}" is listed more than once`);
    seenGroups.add(group);
  }

  const alarmEmail = (get("alarmEmail") ?? "").trim();
  if (alarmEmail && !EMAIL.test(alarmEmail)) report("alarmEmail", `"${alarmEmail}" is not an email address`);

  const lagAlarmMinutes = int("lagAlarmMinutes", 1, 10080);
  const alarmIntervalMinutes = int("alarmIntervalMinutes", 0, 10080);
  if (!scheduleProblem && alarmIntervalMinutes === 0 && scheduleIntervalSeconds(schedule) === undefined) {
    report(
      "alarmIntervalMinutes",
      `required with the cron schedule "${schedule}": set the longest gap between two runs in minutes, ` +
        "which the alarms use to tell a missed run from a quiet one",
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    bucketName,
    instances,
    clusters,
    schedule,
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
    transitionStorageClass,
    expirationDays,
    noncurrentVersionExpirationDays,
    logRetentionDays,
    archiveEvents,
    logGroups,
    alarmEmail,
    lagAlarmMinutes,
    alarmIntervalMinutes,
  };
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

// ---- CloudWatch Logs and email ----------------------------------------------------------------

/**
 * CloudWatch Logs group names: 1 to 512 characters, each a letter, digit, `_`, `-`, `/`, `.` or `#`.
 * (RDS exports to `/aws/rds/instance/<id>/<log type>` and `/aws/rds/cluster/<id>/<log type>`.)
 */
export function logGroupNameProblem(name: string): string | undefined {
  if (name.length === 0) return "a log group name cannot be empty";
  if (name.length > 512) return `"${name.slice(0, 40)}..." is ${name.length} characters; CloudWatch allows 512`;
  const bad = name.match(/[^A-Za-z0-9_\-/.#]/);
  if (bad) {
    return `"${name}" is not a CloudWatch Logs group name: "${bad[0]}" is not allowed (letters, digits, _ - / . # only)`;
  }
  return undefined;
}

/** One address, no display name: what an SNS email subscription accepts. */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * A log group the subscription function itself writes to cannot be subscribed to it: every delivery would
 * log, and every log line would be delivered again. Checked once the function's name is known.
 */
export function checkSubscribedLogGroups(logGroups: string[], ownLogGroups: string[]): void {
  const loops = logGroups.filter((g) => ownLogGroups.includes(g));
  if (loops.length > 0) {
    throw new ConfigError(
      loops.map((g) => ({ key: "logGroups", message: `"${g}" is the log group of this stack's subscription function: subscribing it would loop` })),
    );
  }
}

// ---- bucket name ------------------------------------------------------------------------------

const ACCOUNT_ID_LENGTH = 12;
/** The shortest AWS region names ("us-east-1", "eu-west-1") are 9 characters. */
const SHORTEST_REGION = 9;
/** The longest middle part that fits in any region: `<12 digits>-<name>-<region>` is at most 63 characters. */
export const MAX_BUCKET_NAME_PART = 63 - ACCOUNT_ID_LENGTH - 2 - SHORTEST_REGION;

/** Problems with the configured middle part alone (the account and region are checked once known). */
export function bucketNameProblems(name: string): string[] {
  if (!name) return ["required: the middle part of the bucket name <accountId>-<bucketName>-<region>"];
  const problems: string[] = [];
  if (!/^[a-z0-9-]+$/.test(name)) {
    problems.push(`"${name}" may contain only lower-case letters, digits and hyphens`);
  } else if (!/^[a-z0-9].*[a-z0-9]$|^[a-z0-9]$/.test(name)) {
    problems.push(`"${name}" must start and end with a letter or digit`);
  }
  if (name.length > MAX_BUCKET_NAME_PART) {
    problems.push(
      `"${name}" is ${name.length} characters; with the account id and region added the bucket name would exceed 63 ` +
        `characters in every region (at most ${MAX_BUCKET_NAME_PART} fit)`,
    );
  }
  return problems;
}

/**
 * Why `<accountId>-<bucketName>-<region>` is not a bucket name S3 accepts, or undefined when it is.
 * Called with the results of getCallerIdentity/getRegion, which resolve before any resource is registered.
 */
export function archiveBucketNameProblem(accountId: string, bucketName: string, region: string): string | undefined {
  const full = `${accountId}-${bucketName}-${region}`;
  if (full.length > 63) {
    return (
      `the bucket name "${full}" is ${full.length} characters, S3 allows 63; ` +
      `shorten "${bucketName}" to at most ${63 - accountId.length - region.length - 2} characters`
    );
  }
  if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(full)) return `"${full}" is not a valid S3 bucket name`;
  return undefined;
}

/** The full bucket name; throws a ConfigError naming bucketName when S3 would refuse it. */
export function archiveBucketName(accountId: string, bucketName: string, region: string): string {
  const problem = archiveBucketNameProblem(accountId, bucketName, region);
  if (problem) throw new ConfigError([{ key: "bucketName", message: problem }]);
  return `${accountId}-${bucketName}-${region}`;
}

// ---- identifiers and lists --------------------------------------------------------------------

/**
 * RDS DB instance and cluster identifiers: 1 to 63 letters, digits or hyphens, starting with a letter,
 * no two consecutive hyphens, not ending with a hyphen. RDS stores them in lower case, and IAM compares
 * ARNs case-sensitively, so upper case is rejected rather than silently lowered.
 */
export function identifierProblem(id: string): string | undefined {
  if (/[A-Z]/.test(id)) return `"${id}": RDS stores identifiers in lower case; write "${id.toLowerCase()}"`;
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(id) || id.includes("--") || id.endsWith("-")) {
    return `"${id}" is not a valid RDS identifier (1-63 letters, digits and hyphens, starting with a letter, no "--", not ending with "-")`;
  }
  return undefined;
}

function identifierList(key: string, get: ConfigSource, report: (key: string, message: string) => void): string[] {
  const ids = stringList(key, get, report);
  const seen = new Set<string>();
  for (const id of ids) {
    const problem = identifierProblem(id);
    if (problem) report(key, problem);
    const reserved = RESERVED_PREFIXES.find((prefix) => prefix === `${id}/`);
    if (reserved) report(key, `"${id}" cannot be archived under its own name: the bucket's ${reserved} prefix belongs to the archiver`);
    if (seen.has(id.toLowerCase())) report(key, `"${id}" is listed more than once`);
    seen.add(id.toLowerCase());
  }
  return ids;
}

/**
 * A list value: a YAML list in the stack file arrives as a JSON array string. A plain string
 * (`pulumi config set instances "a,b"`) is accepted as a comma- or space-separated list.
 */
export function stringList(key: string, get: ConfigSource, report: (key: string, message: string) => void): string[] {
  const raw = (get(key) ?? "").trim();
  if (!raw) return [];
  if (raw.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      report(key, `expected a list of strings, got ${raw}`);
      return [];
    }
    if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === "string")) {
      report(key, `expected a list of strings, got ${raw}`);
      return [];
    }
    return parsed.map((v: string) => v.trim());
  }
  return raw.split(/[\s,]+/).filter((s) => s.length > 0);
}

function integer(
  key: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
  report: (key: string, message: string) => void,
): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw.trim());
  if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
    report(key, `expected a whole number from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  return value;
}

function boolean(key: string, raw: string | undefined, fallback: boolean, report: (key: string, message: string) => void): boolean {
  if (raw === undefined || raw.trim() === "") return fallback;
  if (raw.trim() === "true") return true;
  if (raw.trim() === "false") return false;
  report(key, `expected true or false, got "${raw}"`);
  return fallback;
}

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/** The region part of a KMS key ARN. */
export function kmsKeyRegion(arn: string): string {
  return arn.split(":")[3];
}

// ---- schedule expressions ---------------------------------------------------------------------

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;
const UNIT_SECONDS: Record<string, number> = { minute: 60, hour: 3600, day: 86400 };

/** Why an EventBridge schedule expression is invalid, or undefined when it is valid. */
export function scheduleExpressionProblem(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2];
    if (value < 1) return `"${expression}": the rate must be at least 1`;
    if (value === 1 && unit.endsWith("s")) return `"${expression}": write rate(1 ${unit.slice(0, -1)})`;
    if (value > 1 && !unit.endsWith("s")) return `"${expression}": write rate(${value} ${unit}s)`;
    return undefined;
  }
  const cron = CRON.exec(expression);
  if (cron) return cronProblem(expression, cron[1].trim().split(/\s+/));
  return `"${expression}" is not a schedule expression: use rate(<n> minutes|hours|days) or cron(<min> <hour> <day-of-month> <month> <day-of-week> <year>)`;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Items this field accepts besides numbers, names, ranges, lists and steps. */
  special?: RegExp;
}

const CRON_FIELDS: CronField[] = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31, special: /^(\?|L|LW|\d{1,2}W)$/ },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day-of-week", min: 1, max: 7, names: DAYS, special: /^(\?|L|[1-7]L|[1-7]#[1-5])$/i },
  { name: "year", min: 1970, max: 2199 },
];

function cronValue(field: CronField, token: string): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  const index = field.names?.indexOf(token.toUpperCase()) ?? -1;
  return index >= 0 ? field.min + index : undefined;
}

function cronFieldValid(field: CronField, text: string): boolean {
  if (field.special?.test(text)) return true;
  return text.split(",").every((item) => {
    const m = /^(\*|([A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?)(?:\/(\d+))?$/.exec(item);
    if (!m) return false;
    if (m[4] !== undefined && Number(m[4]) < 1) return false;
    if (m[1] === "*") return true;
    return [m[2], m[3]].every((token) => {
      if (token === undefined) return true;
      const value = cronValue(field, token);
      return value !== undefined && value >= field.min && value <= field.max;
    });
  });
}

function cronProblem(expression: string, fields: string[]): string | undefined {
  if (fields.length !== 6) {
    return `"${expression}": a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`;
  }
  for (const [i, text] of fields.entries()) {
    const field = CRON_FIELDS[i];
    if (!cronFieldValid(field, text)) {
      return `"${expression}": invalid ${field.name} field "${text}" (values ${field.min}-${field.max})`;
    }
  }
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
    return `"${expression}": exactly one of day-of-month and day-of-week must be "?"`;
  }
  return undefined;
}

/** The interval of a rate() expression in seconds; undefined for cron expressions. */
export function scheduleIntervalSeconds(expression: string): number | undefined {
  const rate = RATE.exec(expression);
  if (!rate) return undefined;
  return Number(rate[1]) * UNIT_SECONDS[rate[2].replace(/s$/, "")];
}

// ---- names ------------------------------------------------------------------------------------

/**
 * Lambda function names: letters, digits, hyphens and underscores, at most 64 characters.
 * `suffix` names the stack's other functions: `<project>-<stack>-<suffix>`.
 */
export function functionNameFor(project: string, stack: string, suffix = ""): string {
  const name = `${project}-${stack}${suffix ? `-${suffix}` : ""}`.replace(/[^A-Za-z0-9_-]/g, "-");
  if (name.length > 64) {
    throw new pulumi.RunError(`the function name "${name}" is longer than 64 characters: use a shorter stack name`);
  }
  return name;
}
