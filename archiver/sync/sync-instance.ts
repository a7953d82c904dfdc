/** One instance's sync: list, plan against the state object, copy, record, and re-plan after a race. */
import type { AwsClients } from "../aws-clients";
import type { Limiter } from "../limit";
import type { ManifestEntry } from "../planning/manifest";
import { planInstance, type CopyAction } from "../planning/plan-instance";
import { copyOrder } from "../planning/copy-order";
import { listLogFiles } from "../rds/list-log-files";
import type { InstanceReport, SyncEvent } from "../report";
import { deleteObject, readManifest, readStoredManifest, writeManifest } from "../s3/archive-state";
import { openUploadRecords, type UploadRecordStore } from "../s3/upload-records";
import type { S3Limits } from "../s3/s3-limits";
import { PART_SIZE } from "../s3/upload-archive-object";
import type { SyncSettings } from "../settings";
import { copyLogFile } from "./copy-log-file";
import { isChangedDuringCopy } from "./download-checks";
import { emptyManifest } from "../planning/manifest";
import { rebuildState } from "./rebuild-state";
import { findGaps, watchList } from "../planning/gaps";
import { recordGap } from "../s3/gap-ledger";
import type { DigestObject } from "../digests/digest";
import { findChainHead, writeDueDigests } from "./digest-writer";
import { instanceOutcomes, type InstanceOutcomes } from "./instance-outcomes";
import { isStoppedWithProgress } from "./member-copy";
import { withRetry, type RetryPolicy } from "./retry";
import { stateSaver } from "./state-saver";
import { DEADLINE_MARGIN_MS, stopReason } from "./stop";

export interface InstanceTarget {
  instance: string;
  group: string;
}

export interface SyncContext {
  aws: AwsClients;
  settings: SyncSettings;
  retry: RetryPolicy;
  gzipLevel: number;
  now: () => number;
  /** Time left before the run must end (the Lambda's deadline); no new copy starts when it runs low. */
  timeLeftMs?: () => number;
  /**
   * Aborts the uploads hard-killed runs left open under a group's prefix. Only runs that copy something call
   * it: a killed copy's file is copied again, and an idle run stays one listing and one GET per instance.
   */
  cleanUpGroup?: (group: string) => Promise<void>;
  /** Aborted when the run must stop: copies in flight end, their uploads are aborted, no new one starts. */
  signal?: AbortSignal;
  copyLimit: Limiter;
  /** Copies of files larger than one upload part, which each hold tens of MB of upload buffers. */
  largeCopyLimit: Limiter;
  onEvent?: (e: SyncEvent) => void;
  /** S3's size limits; lowered only by tests. */
  s3Limits?: Partial<S3Limits>;
  /** Gzip members compressed at once per copy (settings.ts). */
  compressThreads: number;
  /** Resume stopped copies by Range where RDS honours it (settings.ts). */
  resumeWithRange: boolean;
}

/** A copy is not started with less run time than this left. */
export const MIN_TIME_FOR_COPY_MS = 60_000;
/** A copy larger than one part keeps every part it stores before a stop: it is worth starting with a little time past the margin. */
export const MIN_TIME_FOR_RESUMABLE_COPY_MS = DEADLINE_MARGIN_MS + 5_000;
/** While copies run, the state object is saved at least this often, so a timeout loses little work. */
const SAVE_EVERY_MS = 30_000;
/** How often an instance is re-planned when files change under a copy. */
const MAX_ROUNDS = 3;

export async function syncInstance(ctx: SyncContext, target: InstanceTarget): Promise<InstanceReport> {
  const outcomes = instanceOutcomes(target, ctx.onEvent);
  try {
    for (let round = 1; ; round++) {
      const changed = await syncRound(ctx, target, outcomes);
      if (changed.length === 0) break;
      if (ctx.signal?.aborted) {
        for (const c of changed) outcomes.deferred(c, `${stopReason(ctx.signal)}; copied next run`);
        break;
      }
      if (round >= MAX_ROUNDS) {
        for (const c of changed) outcomes.keptChanging(c);
        break;
      }
    }
  } catch (err) {
    outcomes.instanceFailed(err);
  }
  return outcomes.report;
}

/** One pass over the instance. Returns the copies that lost a race with a rotation. */
async function syncRound(ctx: SyncContext, target: InstanceTarget, outcomes: InstanceOutcomes): Promise<CopyAction[]> {
  const { aws, settings } = ctx;
  const roundStartedAt = ctx.now();
  const listing = await withRetry(ctx.retry, () => listLogFiles(aws, target.instance));
  const stored = await readStoredManifest(aws, settings.bucket, target.group, target.instance);
  // No state (lost, deleted, unreadable): what the archive itself holds stands in for it, and is saved below.
  const rebuilt = stored ? undefined : await rebuildState(aws, settings.bucket, target, listing);
  if (rebuilt) outcomes.stateRebuilt(Object.keys(rebuilt.entries).length);
  const manifest = stored ?? rebuilt!;
  for (const gap of findGaps(target, stored?.watch ?? [], listing, manifest, roundStartedAt)) {
    outcomes.lost(gap, settings.dryRun ? undefined : await recordGap(aws, settings.bucket, gap));
  }
  const plan = planInstance({
    instance: target.instance,
    group: target.group,
    listing,
    manifest,
    now: roundStartedAt,
    include: settings.include,
    activeRefreshMs: settings.activeRefreshMinutes * 60_000,
  });
  // A copy that already failed this run (after its own retries) is not tried again in a re-plan.
  const copies = copyOrder(
    plan.actions.filter((a): a is CopyAction => a.action === "copy" && !outcomes.settled(a.file.name)),
    PART_SIZE,
  );
  outcomes.planned(listing.length, plan.actions, settings.dryRun ? [] : copies);
  if (settings.dryRun) {
    outcomes.dryRun(copies);
    return [];
  }

  // The hours that ended since the last digest, from the journal as stored: this round's copies belong to this hour.
  // A rebuilt state has lost the chain's head: the chain goes on from the newest digest in the bucket.
  const head = rebuilt ? await findChainHead(aws, settings.bucket, target) : manifest.digestHead;
  const digested = await writeDueDigests(aws, settings.bucket, target, { ...(head ? { head } : {}), journal: manifest.stored ?? [] }, roundStartedAt);
  if (copies.length > 0) await ctx.cleanUpGroup?.(target.group);
  // Read only when there is something to copy: an idle run stays one listing and one GET per instance.
  const uploads = copies.length > 0 ? await openUploadRecords(aws, settings.bucket, target.group, target.instance) : undefined;
  const written: Record<string, ManifestEntry> = { ...rebuilt?.entries };
  const recorded: DigestObject[] = [];
  const { bucket } = settings;
  const saver = stateSaver({
    store: {
      read: () => readManifest(aws, bucket, target.group, target.instance),
      write: (m) => writeManifest(aws, bucket, target.group, target.instance, m),
    },
    start: stored ?? emptyManifest(), written, listed: plan.listedIdentities, runStartedAt: roundStartedAt, now: ctx.now, saveEveryMs: SAVE_EVERY_MS,
    watchOf: (m) => watchList(target.group, target.instance, listing, m),
    recorded,
    digested,
  });
  const changed: CopyAction[] = [];
  await Promise.all(
    copies.map((c) =>
      ctx.copyLimit(async () => {
        try {
          const large = c.file.size > PART_SIZE;
          // Checked when the copy would start: a large one may have waited for its turn.
          const copy = async () => {
            const notNow = reasonNotToStart(ctx, large);
            if (notNow) return outcomes.deferred(c, notNow);
            await copyOne(ctx, target, c, manifest.entries[c.identity], outcomes, written, recorded, uploads);
          };
          await (large ? ctx.largeCopyLimit(copy) : copy());
          await saver.saveIfDue();
        } catch (err) {
          if (isChangedDuringCopy(err)) return void changed.push(c);
          if (isStoppedWithProgress(err)) {
            return outcomes.deferred(c, `${stopReason(ctx.signal!)} during the copy; its first ${err.resumeAt} bytes are stored in an open upload, continued next run`);
          }
          if (ctx.signal?.aborted) {
            return outcomes.deferred(c, `${stopReason(ctx.signal)} during the copy; nothing of it was stored, copied next run`);
          }
          outcomes.copyFailed(c, err);
        }
      }),
    ),
  );
  await saver.save();
  return changed;
}

async function copyOne(
  ctx: SyncContext,
  target: InstanceTarget,
  c: CopyAction,
  previous: ManifestEntry | undefined,
  outcomes: InstanceOutcomes,
  written: Record<string, ManifestEntry>,
  recorded: DigestObject[],
  uploads: UploadRecordStore | undefined,
): Promise<void> {
  const started = ctx.now();
  outcomes.started(c);
  const result = await copyLogFile(
    {
      aws: ctx.aws, bucket: ctx.settings.bucket, instance: target.instance, retry: ctx.retry, gzipLevel: ctx.gzipLevel, now: ctx.now,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (bytesRead) => outcomes.progress(c, bytesRead),
      ...(ctx.s3Limits ? { s3Limits: ctx.s3Limits } : {}),
      compressThreads: ctx.compressThreads,
      resumeWithRange: ctx.resumeWithRange,
      ...(uploads ? { uploads } : {}),
    },
    c,
    previous,
  );
  let note = "";
  if (c.replaces) {
    if (result.supersedesPrevious) await deleteObject(ctx.aws, ctx.settings.bucket, c.replaces);
    else note = `; kept ${c.replaces}: the file was rewritten, not appended to`;
  }
  written[c.identity] = result.entry;
  const { entry } = result;
  recorded.push({
    key: entry.key, storedBytes: result.bytesWritten, bytes: entry.bytes, sha256: entry.sha256,
    rds: { instance: target.instance, file: entry.file, size: entry.size, lastWritten: entry.lastWritten }, storedAt: new Date(entry.archivedAt).toISOString(),
  });
  outcomes.copied(c, { bytesRead: result.bytesRead, bytesWritten: result.bytesWritten, ms: ctx.now() - started, note });
}

function reasonNotToStart(ctx: SyncContext, resumable: boolean): string | undefined {
  if (ctx.signal?.aborted) return `${stopReason(ctx.signal)} before the copy started; copied next run`;
  const minTime = resumable ? MIN_TIME_FOR_RESUMABLE_COPY_MS : MIN_TIME_FOR_COPY_MS;
  if (ctx.timeLeftMs && ctx.timeLeftMs() < minTime) return "not enough run time left to start it; copied next run";
  return undefined;
}
