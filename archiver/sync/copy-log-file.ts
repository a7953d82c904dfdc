/**
 * Copies one log file: RDS download -> checks -> (gunzip if RDS served gzip) -> sha256 -> gzip -> S3.
 * Streams throughout, so memory does not grow with the file. Every check runs before the upload
 * completes, so a copy that fails a check leaves nothing visible.
 */
import type { IncomingMessage } from "http";
import { pipeline } from "stream";
import * as zlib from "zlib";
import type { AwsClients } from "../aws-clients";
import type { ManifestEntry } from "../planning/manifest";
import type { CopyAction } from "../planning/plan-instance";
import { openLogFileDownload } from "../rds/download-log-file";
import { listLogFiles } from "../rds/list-log-files";
import { contentMetadata, sourceMetadata } from "../s3/metadata";
import type { S3Limits } from "../s3/s3-limits";
import { isObjectTooLarge, uploadArchiveObject } from "../s3/upload-archive-object";
import { uploadPartSize } from "../s3/upload-part-size";
import { contentHasher } from "./content-hasher";
import {
  changedDuringCopy, downloadProblem, mayArriveSmaller, movedSince, relistScope, shortReadOf, transferError, type ShortRead,
} from "./download-checks";
import { downloadMeter, type Measured } from "./download-meter";
import { peekGzip } from "./gzip-magic";
import { withRetry, type RetryPolicy } from "./retry";
import { stoppedError } from "./stop";

const GZIP_CHUNK = 128 * 1024;

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
  /** Ends the copy: the download is destroyed, so the upload fails and aborts its multipart upload (lib-storage awaits it). */
  signal?: AbortSignal;
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
    const res = await openLogFileDownload(ctx.aws, ctx.instance, action.file.name, signal);
    return copyBody(ctx, action, res, attempts, previous);
  });
}

async function copyBody(
  ctx: CopyContext,
  action: CopyAction,
  res: IncomingMessage,
  attempts: Attempts,
  previous?: ManifestEntry,
): Promise<CopyResult> {
  const { file } = action;
  const meter = downloadMeter({
    hashRaw: mayArriveSmaller(file.name),
    ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
    check: (measured) => verifyDownload(ctx, action, { ...measured, complete: res.complete }, attempts),
  });
  const peeked = await peekGzip(res);
  const gunzip = peeked.gzip ? [zlib.createGunzip()] : [];
  const hash = contentHasher(previous && action.replaces ? previous : undefined);
  const gzip = zlib.createGzip({ level: ctx.gzipLevel, chunkSize: GZIP_CHUNK });
  let streamError: Error | undefined;
  pipeline([peeked.body, meter.stream, ...gunzip, hash.stream, gzip], (err) => {
    if (err) streamError = err;
  });
  const metadata = objectMetadata(ctx.instance, action);
  try {
    const { bytesWritten } = await uploadArchiveObject(ctx.aws, {
      bucket: ctx.bucket,
      key: action.key,
      body: gzip,
      metadata,
      finalMetadata: () => contentMetadata(hash.bytes(), hash.sha256()),
      partSize: uploadPartSize(file.size),
      source: `${ctx.instance} ${file.name}`,
      ...(ctx.s3Limits ? { limits: ctx.s3Limits } : {}),
    });
    if (streamError) throw streamError;
    return {
      entry: {
        key: action.key,
        file: file.name,
        size: file.size,
        lastWritten: file.lastWritten,
        bytes: hash.bytes(),
        sha256: hash.sha256(),
        archivedAt: ctx.now(),
        ...(action.final ? {} : { partial: true }),
      },
      bytesRead: meter.bytesRead(),
      bytesWritten,
      ...(action.replaces ? { supersedesPrevious: hash.prefixMatches() } : {}),
    };
  } catch (err) {
    res.destroy();
    // The upload's own refusal is the cause; the stream errors that follow it are only its echo.
    throw isObjectTooLarge(err) ? err : (streamError ?? err);
  }
}

/** The checks of download-checks.ts, and for `relist` copies a fresh listing: has anything rotated under the copy? */
async function verifyDownload(ctx: CopyContext, action: CopyAction, received: Measured & { complete: boolean }, attempts: Attempts): Promise<void> {
  const { file } = action;
  const problem = downloadProblem(file, received, attempts.lastShort);
  attempts.lastShort = shortReadOf(file, received) ?? attempts.lastShort;
  if (problem) throw transferError(problem);
  if (action.verify === "relist") {
    const scope = relistScope(action);
    const now = await withRetry(ctx.retry, () => listLogFiles(ctx.aws, ctx.instance, scope.contains));
    const moved = movedSince(scope.files, now);
    if (moved) throw changedDuringCopy(`${moved.name} was rotated or rewritten while ${file.name} was being copied`);
  }
}

function objectMetadata(instance: string, action: CopyAction): Record<string, string> {
  return sourceMetadata(instance, action.file);
}
