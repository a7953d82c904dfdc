/**
 * Copies one log file: RDS download -> checks -> (gunzip if RDS served gzip) -> sha256 -> gzip members -> S3
 * (./member-copy.ts). Streams throughout, so memory does not grow with the file. Every check runs before the
 * upload completes, so a copy that fails a check leaves nothing visible. A copy recorded by an earlier run that
 * stopped is continued from its last part: the download skips the prefix (hashing it), or asks for it by Range.
 */
import type { IncomingMessage } from "http";
import { pipeline, type Readable } from "stream";
import * as zlib from "zlib";
import type { AwsClients } from "../aws-clients";
import type { ManifestEntry } from "../planning/manifest";
import type { CopyAction } from "../planning/plan-instance";
import { openLogFileDownload } from "../rds/download-log-file";
import { listLogFiles } from "../rds/list-log-files";
import { rangeHonoured } from "../rds/range-response";
import { planParts } from "../s3/member-parts";
import { sourceMetadata } from "../s3/metadata";
import { abortUpload } from "../s3/multipart";
import type { S3Limits } from "../s3/s3-limits";
import { resumeOffset, resumeProblem, type CompletedUpload, type UploadRecord } from "../s3/upload-record";
import type { UploadRecordStore } from "../s3/upload-records";
import {
  changedDuringCopy, downloadProblem, mayArriveSmaller, movedSince, relistScope, shortReadOf, transferError, type ShortRead,
} from "./download-checks";
import { asksRange, keepsHashState } from "./hash-state-policy";
import { downloadMeter, type Measured } from "./download-meter";
import { peekGzip } from "./gzip-magic";
import { copyMembers, labelObject, type Resume } from "./member-copy";
import { withRetry, type RetryPolicy } from "./retry";
import { stoppedError } from "./stop";

export interface CopyContext {
  aws: AwsClients;
  bucket: string;
  instance: string;
  retry: RetryPolicy;
  gzipLevel: number;
  now: () => number;
  onProgress?: (bytesRead: number) => void;
  /** S3's size limits; lowered only by tests. */
  s3Limits?: Partial<S3Limits>;
  /** Ends the copy at its last stored part, recorded in `uploads` for the next run (archiver/sync/member-copy.ts). */
  signal?: AbortSignal;
  /** Gzip members compressed at once. */
  compressThreads?: number;
  /** Resume stopped copies by Range where RDS honours it, keeping a hash state for large ones (./hash-state-policy.ts). */
  resumeWithRange: boolean;
  /** The instance's upload records: copies that outlive a run continue from them. */
  uploads?: UploadRecordStore;
}

export interface CopyResult {
  entry: ManifestEntry;
  bytesRead: number;
  bytesWritten: number;
  /** For a copy that replaces an older key: whether the new content starts with the old, so the old object can go. */
  supersedesPrevious?: boolean;
}

/** What the attempts at one copy learn from each other. */
interface Attempts {
  lastShort?: ShortRead;
}

export async function copyLogFile(ctx: CopyContext, action: CopyAction, previous?: ManifestEntry): Promise<CopyResult> {
  const attempts: Attempts = {};
  const { signal } = ctx;
  return withRetry(ctx.retry, async () => {
    if (signal?.aborted) throw stoppedError(signal);
    const resume = await resumableRecord(ctx, action);
    if (resume?.completed) return labelCompleted(ctx, action, resume.completed);
    const offset = resume ? resumeOffset(resume) : 0;
    // Range skips the prefix only when the record holds the hash state at the offset; RDS may ignore it either way.
    const askRange = resume !== undefined && asksRange({
      resumeWithRange: ctx.resumeWithRange, rangeNeverAsked: rangeNeverAsked(action), servedGzip: resume.servedGzip, offset,
      ...(resume.hashState ? { stateBytes: resume.hashState.bytes } : {}),
    });
    const res = await openLogFileDownload(ctx.aws, ctx.instance, action.file.name, signal, askRange ? offset : undefined);
    const ranged = askRange && rangeHonoured(offset, res.statusCode, res.headers["content-range"]);
    if (res.statusCode === 206 && !ranged) {
      res.destroy();
      throw transferError(`download of ${action.file.name} answered Range bytes=${offset}- with Content-Range ${res.headers["content-range"]}`);
    }
    return copyBody(ctx, action, res, attempts, previous, resume ? { record: resume, ranged } : undefined);
  });
}

/**
 * The recorded upload this copy continues, if any. A record for a file listed otherwise now (size, LastWritten),
 * or one without a part, is aborted and dropped: the copy starts over, never stitched onto other content.
 */
async function resumableRecord(ctx: CopyContext, action: CopyAction): Promise<UploadRecord | undefined> {
  const record = ctx.uploads?.get(action.key);
  if (!record) return undefined;
  const problem = resumeProblem(record, { key: action.key, name: action.file.name, size: action.file.size, lastWritten: action.file.lastWritten });
  if (!problem && (record.parts.length > 0 || record.completed)) return record;
  await abortUpload(ctx.aws, ctx.bucket, record.key, record.uploadId);
  await ctx.uploads?.drop(record.key);
  return undefined;
}

async function copyBody(
  ctx: CopyContext,
  action: CopyAction,
  res: IncomingMessage,
  attempts: Attempts,
  previous: ManifestEntry | undefined,
  resume: Resume | undefined,
): Promise<CopyResult> {
  const { file } = action;
  const plan = planParts(file.size, ctx.s3Limits);
  const keepHashState = keepsHashState({
    resumeWithRange: ctx.resumeWithRange, listedBytes: file.size, partBytes: resume?.record.partBytes ?? plan.partBytes,
    rangeNeverAsked: rangeNeverAsked(action), ...(resume ? { resumed: { hasState: resume.record.hashState !== undefined } } : {}),
  });
  const servedBefore = resume?.ranged ? resumeOffset(resume.record) : 0;
  const meter = downloadMeter({
    hashRaw: mayArriveSmaller(file.name),
    ...(ctx.onProgress ? { onProgress: (n: number) => ctx.onProgress!(servedBefore + n) } : {}),
    check: (measured) => verifyDownload(ctx, action, { ...measured, bytes: servedBefore + measured.bytes, complete: res.complete }, attempts),
  });
  // A ranged body starts mid-file: whether the file is served gzip-compressed is in the record.
  const peeked = resume?.ranged ? { gzip: resume.record.servedGzip, body: res as Readable } : await peekGzip(res);
  if (resume && peeked.gzip !== resume.record.servedGzip) {
    res.destroy();
    await abortUpload(ctx.aws, ctx.bucket, resume.record.key, resume.record.uploadId);
    await ctx.uploads?.drop(resume.record.key);
    throw changedDuringCopy(`${file.name} is served ${peeked.gzip ? "gzip-compressed" : "plain"} now, unlike when its copy started; the copy starts over`);
  }
  const gunzip = peeked.gzip && !resume?.ranged ? [zlib.createGunzip()] : [];
  const stages: NodeJS.ReadWriteStream[] = [meter.stream, ...gunzip];
  const content = stages[stages.length - 1] as unknown as Readable;
  pipeline([peeked.body, ...stages], () => undefined);
  try {
    const done = await copyMembers(
      {
        aws: ctx.aws, bucket: ctx.bucket, key: action.key, source: `${ctx.instance} ${file.name}`, file, servedGzip: peeked.gzip,
        metadata: objectMetadata(ctx.instance, action),
        plan,
        gzipLevel: ctx.gzipLevel,
        threads: ctx.compressThreads ?? 1,
        keepHashState,
        ...(ctx.uploads ? { records: ctx.uploads } : {}),
        ...(ctx.s3Limits?.maxObjectBytes ? { maxObjectBytes: ctx.s3Limits.maxObjectBytes } : {}),
        ...(ctx.s3Limits?.maxCopyBytes ? { maxCopyBytes: ctx.s3Limits.maxCopyBytes } : {}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        now: ctx.now,
        ...(previous && action.replaces ? { previous } : {}),
      },
      content,
      resume,
    );
    return {
      entry: {
        key: action.key,
        file: file.name,
        size: file.size,
        lastWritten: file.lastWritten,
        bytes: done.bytes,
        sha256: done.sha256,
        archivedAt: ctx.now(),
        ...(action.final ? {} : { partial: true }),
      },
      bytesRead: meter.bytesRead(),
      bytesWritten: done.bytesWritten,
      ...(action.replaces ? { supersedesPrevious: done.prefixMatches === true } : {}),
    };
  } finally {
    res.destroy();
  }
}

/** A copy whose object an earlier run completed but did not label: add `bytes` and `sha256`, download nothing. */
async function labelCompleted(ctx: CopyContext, action: CopyAction, done: CompletedUpload): Promise<CopyResult> {
  try {
    if (await alreadyLabelled(ctx, action.key, done)) await ctx.uploads?.drop(action.key);
    else await labelObject(
      { aws: ctx.aws, bucket: ctx.bucket, key: action.key, metadata: objectMetadata(ctx.instance, action),
        ...(ctx.s3Limits?.maxCopyBytes ? { maxCopyBytes: ctx.s3Limits.maxCopyBytes } : {}), ...(ctx.uploads ? { records: ctx.uploads } : {}) },
      done,
    );
  } catch (err) {
    // The object changed since (another writer), or cannot be copied: the next run copies the file whole.
    await ctx.uploads?.drop(action.key).catch(() => undefined);
    throw err;
  }
  const { file } = action;
  return {
    entry: {
      key: action.key, file: file.name, size: file.size, lastWritten: file.lastWritten, bytes: done.bytes, sha256: done.sha256,
      archivedAt: ctx.now(), ...(action.final ? {} : { partial: true }),
    },
    bytesRead: 0,
    bytesWritten: 0,
    ...(action.replaces ? { supersedesPrevious: done.prefixMatches === true } : {}),
  };
}

/** The labelling copy may have gone through just before the kill: then only the record is left to drop. */
async function alreadyLabelled(ctx: CopyContext, key: string, done: CompletedUpload): Promise<boolean> {
  const head = await ctx.aws.s3.send(new ctx.aws.sdk.s3.HeadObjectCommand({ Bucket: ctx.bucket, Key: key }));
  return head.Metadata?.sha256 === done.sha256 && head.Metadata?.bytes === String(done.bytes);
}

/** The checks of download-checks.ts, and for `relist` copies a fresh listing: has anything rotated under the copy? */
async function verifyDownload(ctx: CopyContext, action: CopyAction, received: Measured & { complete: boolean }, attempts: Attempts): Promise<void> {
  const { file } = action;
  const problem = downloadProblem(file, received, attempts.lastShort);
  attempts.lastShort = shortReadOf(file, received) ?? attempts.lastShort;
  // A whole body of another size under a name RDS shifts may be another file now: downloading the name again would
  // fetch that file again, so the listing decides between a re-plan and a retry.
  if (problem && !(action.verify === "relist" && received.complete)) throw transferError(problem);
  if (action.verify === "relist") {
    const scope = relistScope(action);
    const now = await withRetry(ctx.retry, () => listLogFiles(ctx.aws, ctx.instance, scope.contains));
    const moved = movedSince(scope.files, now);
    if (moved) throw changedDuringCopy(`${moved.name} was rotated or rewritten while ${file.name} was being copied`);
  }
  if (problem) throw transferError(problem);
}

/** Range is never asked for a copy that replaces an older key (its old prefix is checked), nor for a file that may arrive smaller. */
function rangeNeverAsked(action: CopyAction): boolean {
  return action.replaces !== undefined || mayArriveSmaller(action.file.name);
}

function objectMetadata(instance: string, action: CopyAction): Record<string, string> {
  return sourceMetadata(instance, action.file);
}
