/** A whole sync run: resolve clusters to instances, sync each with bounded concurrency, report. */
import { availableParallelism } from "os";
import { createClients, timeoutsOf, type AwsClients } from "../aws-clients";
import type { AwsSdk } from "../aws-sdk";
import { errorCode, errorMessage } from "../errors";
import { archivePrefix } from "../layout/archive-key";
import { createLimiter, mapLimited } from "../limit";
import type { InstanceReport, SyncEvent, SyncReport } from "../report";
import { checkBucket } from "../s3/archive-state";
import type { S3Limits } from "../s3/s3-limits";
import { abortStaleUploads } from "../s3/stale-uploads";
import { readUploadRecords } from "../s3/upload-records";
import { DEFAULTS, type SyncSettings } from "../settings";
import { retryPolicyOf, type RetryPolicy } from "./retry";
import { runStop, stopReason } from "./stop";
import { syncInstance, type InstanceTarget } from "./sync-instance";
import { resolveTargets } from "./targets";

export interface SyncRuntime {
  sdk: AwsSdk;
  /** Standard AWS settings: AWS_REGION or the profile's region, credentials or AWS_PROFILE, AWS_ENDPOINT_URL[_RDS|_S3], checksum variables. */
  env: NodeJS.ProcessEnv;
  /** The clock, POSIX ms. */
  now?: () => number;
  /** Time left before the run must end (the Lambda's deadline): copies still running shortly before are stopped. */
  timeLeftMs?: () => number;
  /** Stops the run early (the CLI's SIGINT and SIGTERM); the abort reason says why. */
  signal?: AbortSignal;
  onEvent?: (e: SyncEvent) => void;
  /** The caller already made the HeadBucket check (the CLI's preflight): the run does not repeat it. */
  bucketChecked?: boolean;
  retry?: Partial<RetryPolicy>;
  gzipLevel?: number;
  /** S3's size limits; tests lower them to reach the paths for huge objects with small ones. */
  s3Limits?: Partial<S3Limits>;
}

export const DEFAULT_GZIP_LEVEL = 6;
const MAX_LARGE_COPIES = 2;

export async function runSync(settings: SyncSettings, runtime: SyncRuntime): Promise<SyncReport> {
  return runSyncOf(settings, runtime, (aws, retry, errors) => resolveTargets(aws, settings, retry, errors));
}

/**
 * The same run for targets already resolved (the fan-out worker's one instance from its message): no
 * DescribeDBClusters call, everything else as runSync.
 */
export async function runSyncFor(settings: SyncSettings, runtime: SyncRuntime, targets: InstanceTarget[]): Promise<SyncReport> {
  return runSyncOf(settings, runtime, async () => targets);
}

type TargetSource = (aws: AwsClients, retry: RetryPolicy, errors: SyncReport["errors"]) => Promise<InstanceTarget[]>;

async function runSyncOf(settings: SyncSettings, runtime: SyncRuntime, targetsOf: TargetSource): Promise<SyncReport> {
  const stop = runStop(runtime.signal, runtime.timeLeftMs);
  try {
    const report = await syncAll(settings, runtime, stop.signal, targetsOf);
    return stop.signal.aborted ? { ...report, stopped: stopReason(stop.signal) } : report;
  } finally {
    stop.dispose();
  }
}

async function syncAll(settings: SyncSettings, runtime: SyncRuntime, signal: AbortSignal, targetsOf: TargetSource): Promise<SyncReport> {
  const now = runtime.now ?? Date.now;
  const startedAt = new Date(now()).toISOString();
  const errors: SyncReport["errors"] = [];
  let instances: InstanceReport[] = [];
  const finish = () => summarize(settings, startedAt, new Date(now()).toISOString(), instances, errors);

  let aws: AwsClients;
  try {
    aws = await createClients(runtime.sdk, runtime.env, timeoutsOf(settings));
    if (!runtime.bucketChecked) await checkBucket(aws, settings.bucket);
  } catch (err) {
    errors.push({ target: settings.bucket, code: errorCode(err), message: errorMessage(err) });
    return finish();
  }
  const retry = retryPolicyOf(settings, runtime.retry);
  const targets = await targetsOf(aws, retry, errors);
  const staleAborted: string[] = [];
  const ctx = {
    aws, settings, retry, now,
    gzipLevel: runtime.gzipLevel ?? DEFAULT_GZIP_LEVEL,
    copyLimit: createLimiter(settings.concurrency),
    // Memory, not CPU, bounds these: two large copies at once stay well inside a 256 MB Lambda.
    largeCopyLimit: createLimiter(MAX_LARGE_COPIES),
    ...(runtime.timeLeftMs ? { timeLeftMs: runtime.timeLeftMs } : {}),
    signal,
    cleanUpGroup: staleUploadCleaner(aws, settings.bucket, now, staleAborted, targets),
    ...(runtime.onEvent ? { onEvent: runtime.onEvent } : {}),
    ...(runtime.s3Limits ? { s3Limits: runtime.s3Limits } : {}),
    compressThreads: settings.compressThreads ?? availableParallelism(),
    resumeWithRange: settings.resumeWithRange ?? DEFAULTS.resumeWithRange,
  };
  instances = await mapLimited(targets, settings.concurrency, (t) => syncInstance(ctx, t));
  const report = finish();
  return staleAborted.length > 0 ? { ...report, staleUploadsAborted: staleAborted } : report;
}

/**
 * Aborts the stale uploads under a group's prefix, once per run, and collects their keys in `aborted`. Best
 * effort: without s3:ListBucketMultipartUploads (a role deployed before it was granted) the uploads stay for
 * the bucket's lifecycle rule, and the run goes on.
 */
function staleUploadCleaner(aws: AwsClients, bucket: string, now: () => number, aborted: string[], targets: readonly InstanceTarget[]) {
  const done = new Map<string, Promise<void>>();
  return (group: string): Promise<void> => {
    let cleanup = done.get(group);
    if (!cleanup) {
      cleanup = recordedUploadIds(aws, bucket, group, targets)
        .then((owned) => abortStaleUploads(aws, bucket, archivePrefix(group), now(), owned))
        .then((keys) => void aborted.push(...keys), () => undefined);
      done.set(group, cleanup);
    }
    return cleanup;
  };
}

/** The uploads that the group's instances' records own: a stopped copy continues them, so they are never stale. */
async function recordedUploadIds(aws: AwsClients, bucket: string, group: string, targets: readonly InstanceTarget[]): Promise<string[]> {
  const ids: string[] = [];
  for (const t of targets.filter((x) => x.group === group)) {
    const records = await readUploadRecords(aws, bucket, group, t.instance);
    ids.push(...Object.values(records.uploads).map((r) => r.uploadId));
  }
  return ids;
}

function summarize(
  settings: SyncSettings,
  startedAt: string,
  finishedAt: string,
  instances: InstanceReport[],
  errors: SyncReport["errors"],
): SyncReport {
  const sum = (f: (r: InstanceReport) => number) => instances.reduce((n, r) => n + f(r), 0);
  const totals = {
    listed: sum((r) => r.listed),
    copied: sum((r) => r.copied.length),
    skipped: sum((r) => r.skipped.length),
    archived: sum((r) => r.skipped.filter((s) => s.skip === "archived").length),
    waiting: sum((r) => r.skipped.filter((s) => s.skip === "waiting").length),
    excluded: sum((r) => r.skipped.filter((s) => s.skip === "excluded").length),
    deferred: sum((r) => r.deferred.length),
    failed: sum((r) => r.failed.length + (r.error ? 1 : 0)),
    bytesRead: sum((r) => r.bytesRead),
    bytesWritten: sum((r) => r.bytesWritten),
    lost: sum((r) => r.lost?.length ?? 0),
  };
  return {
    bucket: settings.bucket,
    dryRun: settings.dryRun,
    startedAt,
    finishedAt,
    ok: errors.length === 0 && totals.failed === 0,
    instances,
    errors,
    totals,
  };
}
