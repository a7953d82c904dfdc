import { parseSeconds, parseWholeNumber } from "./numbers";
import { identifierProblem } from "./rds-identifier";

/** What a sync run is asked to do: the same settings whether they come from CLI flags or Lambda env vars. */

export interface SyncSettings {
  bucket: string;
  instances: string[];
  clusters: string[];
  /** Log-file name prefixes to archive, e.g. "audit/". Empty: every file. */
  include: string[];
  /** Upper bound on instances worked on at once, and on file copies in flight across the run. */
  concurrency: number;
  /**
   * Refresh a still-active file at most this often, under the key its final version replaces.
   * 0 (the default): archive a file only once it is closed.
   */
  activeRefreshMinutes: number;
  /** Seconds to wait for a connection to an AWS endpoint before the attempt fails (and is retried). */
  connectTimeoutSeconds: number;
  /** Seconds a connection may go without receiving or sending a byte before the attempt fails (and is retried). */
  readTimeoutSeconds: number;
  dryRun: boolean;
  /** Gzip members one copy compresses at once (archiver/sync/member-copy.ts); absent: one per vCPU. */
  compressThreads?: number;
  /**
   * A resumed copy asks RDS for the rest of its file by HTTP Range, and a large copy keeps an exportable hash
   * state for it (archiver/sync/hash-state-policy.ts). On unless false: whether Range was honoured is read from
   * each response, and a 200 falls back to skipping the prefix. False: never Range, never the pure-JS hash.
   */
  resumeWithRange?: boolean;
  /**
   * The backoff between attempts of a failed request (archiver/sync/retry.ts): a random wait below
   * min(retryMaxDelayMs, retryBaseDelayMs * 2^attempt). Absent: DEFAULT_RETRY's 250 ms and 20 s.
   */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
}

/** The copy tunables' variables: optional, so the CLI and older stacks need not set them. */
export const COPY_ENV = { compressThreads: "COMPRESS_THREADS", resumeWithRange: "RESUME_WITH_RANGE" } as const;

/** The retry backoff's variables: optional, like COPY_ENV. */
export const RETRY_ENV = { retryBaseDelayMs: "RETRY_BASE_DELAY_MS", retryMaxDelayMs: "RETRY_MAX_DELAY_MS" } as const;
/** Neither wait may exceed 10 minutes: a Lambda run lasts at most 15. */
const RETRY_DELAY_RANGE = [1, 600_000] as const;

/** Environment variables the Lambda reads; the Pulumi program sets exactly these, through settingsToEnv. */
export const ENV = {
  bucket: "ARCHIVE_BUCKET",
  instances: "RDS_INSTANCES",
  clusters: "RDS_CLUSTERS",
  include: "LOG_INCLUDE_PREFIXES",
  concurrency: "SYNC_CONCURRENCY",
  activeRefreshMinutes: "ACTIVE_REFRESH_MINUTES",
  connectTimeoutSeconds: "CONNECT_TIMEOUT_SECONDS",
  readTimeoutSeconds: "READ_TIMEOUT_SECONDS",
} as const;

/** Set by the Pulumi program for every function: the stack name, the metrics' Stage dimension. */
export const STAGE_ENV = "ARCHIVE_STAGE";

export function stageOf(env: NodeJS.ProcessEnv): string {
  return env[STAGE_ENV] || "default";
}

/** The variable stageOf reads back. */
export function stageToEnv(stage: string): Record<string, string> {
  return { [STAGE_ENV]: stage };
}

export const DEFAULTS = { concurrency: 4, activeRefreshMinutes: 0, connectTimeoutSeconds: 10, readTimeoutSeconds: 60, resumeWithRange: true } as const;

/** The range of each whole-number setting, the same from the stack config, the environment and the CLI. */
export const SETTING_RANGES = { concurrency: [1, 32], activeRefreshMinutes: [0, 10080] } as const;

export interface SettingsError extends Error {
  name: "SettingsError";
  setting: string;
}

// Errors here are plain Errors with fields, not subclasses: the serializer cannot carry `extends Error` (docs/development.md, "Serializer pitfalls").
export function settingsError(setting: string, message: string): SettingsError {
  return Object.assign(new Error(`${setting}: ${message}`), { name: "SettingsError" as const, setting });
}

export function isSettingsError(err: unknown): err is SettingsError {
  return err instanceof Error && err.name === "SettingsError";
}

/** Splits a comma- or whitespace-separated list, dropping empty entries. */
export function splitList(value: string | undefined): string[] {
  return (value ?? "").split(/[\s,]+/).filter((s) => s.length > 0);
}

/** Parses a whole-number setting (plain decimal, within [min, max]); an absent or blank value takes the fallback. */
export function wholeNumber(name: string, raw: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = parseWholeNumber(raw.trim());
  if (n === undefined || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw settingsError(name, `expected a whole number ${range}, got "${raw}"`);
  }
  return n;
}

/** Parses a duration in seconds, fractions allowed; zero is refused, so that no wait is unbounded. */
export function positiveSeconds(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = parseSeconds(raw.trim());
  if (n === undefined || !(n > 0)) throw settingsError(name, `expected a number of seconds > 0, got "${raw}"`);
  return n;
}

/** Checks settings from any source; names the offending setting on error. */
export function validateSettings(s: SyncSettings, names: Record<keyof typeof ENV, string>): SyncSettings {
  if (!s.bucket) throw settingsError(names.bucket, "a bucket name is required");
  if (s.instances.length + s.clusters.length === 0) {
    throw settingsError(`${names.instances}/${names.clusters}`, "name at least one instance or cluster");
  }
  checkIdentifiers(s, names);
  return {
    ...s,
    instances: [...new Set(s.instances)],
    clusters: [...new Set(s.clusters)],
    include: [...new Set(s.include)],
  };
}

function checkIdentifiers(s: Pick<SyncSettings, "instances" | "clusters">, names: { instances: string; clusters: string }): void {
  for (const [list, name] of [[s.instances, names.instances], [s.clusters, names.clusters]] as const) {
    for (const id of list) {
      const problem = identifierProblem(id);
      if (problem) throw settingsError(name, problem);
    }
  }
}

function requireBucket(bucket: string): string {
  if (!bucket) throw settingsError(ENV.bucket, "a bucket name is required");
  return bucket;
}

/**
 * The environment from which settingsFromEnv reads `s` back: the Pulumi program sets a function's
 * variables with it. A list item that contains a separator cannot be passed, and is refused by name.
 */
export function settingsToEnv(s: Omit<SyncSettings, "dryRun">): Record<string, string> {
  return {
    [ENV.bucket]: s.bucket,
    [ENV.instances]: joinList(ENV.instances, s.instances),
    [ENV.clusters]: joinList(ENV.clusters, s.clusters),
    [ENV.include]: joinList(ENV.include, s.include),
    [ENV.concurrency]: String(s.concurrency),
    [ENV.activeRefreshMinutes]: String(s.activeRefreshMinutes),
    [ENV.connectTimeoutSeconds]: String(s.connectTimeoutSeconds),
    [ENV.readTimeoutSeconds]: String(s.readTimeoutSeconds),
    ...(s.compressThreads !== undefined ? { [COPY_ENV.compressThreads]: String(s.compressThreads) } : {}),
    ...(s.resumeWithRange !== undefined ? { [COPY_ENV.resumeWithRange]: String(s.resumeWithRange) } : {}),
    ...(s.retryBaseDelayMs !== undefined ? { [RETRY_ENV.retryBaseDelayMs]: String(s.retryBaseDelayMs) } : {}),
    ...(s.retryMaxDelayMs !== undefined ? { [RETRY_ENV.retryMaxDelayMs]: String(s.retryMaxDelayMs) } : {}),
  };
}

function joinList(name: string, items: string[]): string {
  for (const item of items) {
    if (item === "" || /[\s,]/.test(item)) throw settingsError(name, `"${item}" cannot be passed in a comma-separated list`);
  }
  return items.join(",");
}

export function settingsFromEnv(env: NodeJS.ProcessEnv): SyncSettings {
  return validateSettings(
    {
      bucket: env[ENV.bucket] ?? "",
      instances: splitList(env[ENV.instances]),
      clusters: splitList(env[ENV.clusters]),
      include: splitList(env[ENV.include]),
      concurrency: wholeNumber(ENV.concurrency, env[ENV.concurrency], DEFAULTS.concurrency, ...SETTING_RANGES.concurrency),
      activeRefreshMinutes: wholeNumber(ENV.activeRefreshMinutes, env[ENV.activeRefreshMinutes], DEFAULTS.activeRefreshMinutes, ...SETTING_RANGES.activeRefreshMinutes),
      connectTimeoutSeconds: positiveSeconds(ENV.connectTimeoutSeconds, env[ENV.connectTimeoutSeconds], DEFAULTS.connectTimeoutSeconds),
      readTimeoutSeconds: positiveSeconds(ENV.readTimeoutSeconds, env[ENV.readTimeoutSeconds], DEFAULTS.readTimeoutSeconds),
      dryRun: false,
      ...copySettingsFromEnv(env),
      ...retrySettingsFromEnv(env),
    },
    ENV,
  );
}

function copySettingsFromEnv(env: NodeJS.ProcessEnv): Pick<SyncSettings, "compressThreads" | "resumeWithRange"> {
  const threads = env[COPY_ENV.compressThreads];
  const range = env[COPY_ENV.resumeWithRange]?.trim();
  if (range !== undefined && range !== "" && range !== "true" && range !== "false") {
    throw settingsError(COPY_ENV.resumeWithRange, `expected true or false, got "${range}"`);
  }
  return {
    ...(threads !== undefined && threads.trim() !== "" ? { compressThreads: wholeNumber(COPY_ENV.compressThreads, threads, 1, 1) } : {}),
    ...(range ? { resumeWithRange: range === "true" } : {}),
  };
}

function retrySettingsFromEnv(env: NodeJS.ProcessEnv): Pick<SyncSettings, "retryBaseDelayMs" | "retryMaxDelayMs"> {
  const out: Pick<SyncSettings, "retryBaseDelayMs" | "retryMaxDelayMs"> = {};
  for (const key of ["retryBaseDelayMs", "retryMaxDelayMs"] as const) {
    const raw = env[RETRY_ENV[key]];
    if (raw !== undefined && raw.trim() !== "") out[key] = wholeNumber(RETRY_ENV[key], raw, 0, ...RETRY_DELAY_RANGE);
  }
  return out;
}

/** What the RDS events function is given: the bucket, and the ids whose events it keeps. */
export interface RdsEventsSettings {
  bucket: string;
  instances: string[];
  clusters: string[];
}

export function rdsEventsSettingsToEnv(s: RdsEventsSettings): Record<string, string> {
  return {
    [ENV.bucket]: s.bucket,
    [ENV.instances]: joinList(ENV.instances, s.instances),
    [ENV.clusters]: joinList(ENV.clusters, s.clusters),
  };
}

export function rdsEventsSettingsFromEnv(env: NodeJS.ProcessEnv): RdsEventsSettings {
  const s = { bucket: requireBucket(env[ENV.bucket] ?? ""), instances: splitList(env[ENV.instances]), clusters: splitList(env[ENV.clusters]) };
  checkIdentifiers(s, ENV);
  return s;
}

/** What the CloudWatch Logs subscription function is given: the bucket only. */
export interface LogSubscriptionSettings {
  bucket: string;
}

export function logSubscriptionSettingsToEnv(s: LogSubscriptionSettings): Record<string, string> {
  return { [ENV.bucket]: s.bucket };
}

export function logSubscriptionSettingsFromEnv(env: NodeJS.ProcessEnv): LogSubscriptionSettings {
  return { bucket: requireBucket(env[ENV.bucket] ?? "") };
}

/** The fan-out queue (a stack with fanOut on): the dispatcher sends to it, the worker checks its messages against the stack's ids. */
export const FAN_OUT_ENV = { queueUrl: "FANOUT_QUEUE_URL" } as const;

/** What the fan-out dispatcher is given: the ids to expand into instances, and the queue to send them to. */
export interface DispatchSettings {
  instances: string[];
  clusters: string[];
  queueUrl: string;
}

export function dispatchSettingsToEnv(s: DispatchSettings): Record<string, string> {
  return {
    [ENV.instances]: joinList(ENV.instances, s.instances),
    [ENV.clusters]: joinList(ENV.clusters, s.clusters),
    [FAN_OUT_ENV.queueUrl]: s.queueUrl,
  };
}

export function dispatchSettingsFromEnv(env: NodeJS.ProcessEnv): DispatchSettings {
  const s = { instances: splitList(env[ENV.instances]), clusters: splitList(env[ENV.clusters]), queueUrl: (env[FAN_OUT_ENV.queueUrl] ?? "").trim() };
  if (s.instances.length + s.clusters.length === 0) throw settingsError(`${ENV.instances}/${ENV.clusters}`, "name at least one instance or cluster");
  checkIdentifiers(s, ENV);
  if (!/^https?:\/\/[^/]+\/\d+\/[A-Za-z0-9_-]{1,75}\.fifo$/.test(s.queueUrl)) {
    throw settingsError(FAN_OUT_ENV.queueUrl, `expected the URL of a FIFO queue (https://sqs.<region>.amazonaws.com/<account>/<name>.fifo), got "${s.queueUrl}"`);
  }
  return { ...s, instances: [...new Set(s.instances)], clusters: [...new Set(s.clusters)] };
}
