/**
 * Copies one log file: RDS download -> checks -> (gunzip if RDS served gzip) -> sha256 -> gzip -> S3.
 * Streams throughout, so memory does not grow with the file. Every check runs before the upload
 * completes, so a copy that fails a check leaves nothing visible.
 */
import { createHash } from "crypto";
import type { IncomingMessage } from "http";
import { pipeline, Transform } from "stream";
import * as zlib from "zlib";
import type { AwsClients } from "../aws-clients";
import type { ManifestEntry } from "../planning/manifest";
import type { CopyAction } from "../planning/plan-instance";
import { openLogFileDownload } from "../rds/download-log-file";
import { listLogFiles } from "../rds/list-log-files";
import { metadataValue } from "../s3/metadata";
import type { S3Limits } from "../s3/s3-limits";
import { isObjectTooLarge, uploadArchiveObject } from "../s3/upload-archive-object";
import { uploadPartSize } from "../s3/upload-part-size";
import { withRetry, type RetryPolicy } from "./retry";
import { stoppedError } from "./stop";

/** Larger buffers than Node's 16 KiB default: fewer, bigger chunks keep gzip busy at a fixed, small memory cost. */
const STREAM_BUFFER = 1024 * 1024;
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

/** The file changed between listing and download: re-plan the instance rather than retry this copy. */
export function changedDuringCopy(message: string): Error {
  return Object.assign(new Error(message), { name: "ChangedDuringCopy" });
}

export function isChangedDuringCopy(err: unknown): boolean {
  return err instanceof Error && err.name === "ChangedDuringCopy";
}

function transferError(message: string): Error {
  return Object.assign(new Error(message), { code: "ECONNRESET" });
}

/** RDS filters MySQL error logs on download, so they legitimately arrive smaller than listed. */
function mayArriveSmaller(name: string): boolean {
  return /(^|\/)mysql-error/.test(name);
}

/** A download shorter than listed, remembered so that the next attempt can confirm it. */
interface ShortRead {
  bytes: number;
  sha256: string;
}

export async function copyLogFile(ctx: CopyContext, action: CopyAction, previous?: ManifestEntry): Promise<CopyResult> {
  const attempts: { lastShort?: ShortRead } = {};
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
  attempts: { lastShort?: ShortRead },
  previous?: ManifestEntry,
): Promise<CopyResult> {
  const { file } = action;
  let bytesRead = 0;
  let lastByte: number | undefined;
  const rawHash = mayArriveSmaller(file.name) ? createHash("sha256") : undefined;
  const checked = new Transform({
    highWaterMark: STREAM_BUFFER,
    transform(chunk: Buffer, _enc, done) {
      bytesRead += chunk.length;
      if (chunk.length > 0) lastByte = chunk[chunk.length - 1];
      rawHash?.update(chunk);
      ctx.onProgress?.(bytesRead);
      done(null, chunk);
    },
    flush(done) {
      const received = { bytes: bytesRead, endsAtLineBreak: lastByte === undefined || lastByte === 0x0a, sha256: rawHash?.digest("hex") };
      verifyDownload(ctx, action, res, received, attempts).then(() => done(), done);
    },
  });
  const gzipped = (await startsWithGzipMagic(res)) ? [zlib.createGunzip()] : [];
  const hash = contentHasher(previous && action.replaces ? previous : undefined);
  const gzip = zlib.createGzip({ level: ctx.gzipLevel, chunkSize: GZIP_CHUNK });
  let streamError: Error | undefined;
  pipeline([res, checked, ...gzipped, hash.stream, gzip], (err) => {
    if (err) streamError = err;
  });
  const metadata = objectMetadata(ctx.instance, action);
  try {
    const { bytesWritten } = await uploadArchiveObject(ctx.aws, {
      bucket: ctx.bucket,
      key: action.key,
      body: gzip,
      metadata,
      finalMetadata: () => ({ bytes: String(hash.bytes()), sha256: hash.sha256() }),
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
      bytesRead,
      bytesWritten,
      ...(action.replaces ? { supersedesPrevious: hash.prefixMatches() } : {}),
    };
  } catch (err) {
    res.destroy();
    // The upload's own refusal is the cause; the stream errors that follow it are only its echo.
    throw isObjectTooLarge(err) ? err : (streamError ?? err);
  }
}

interface Received {
  bytes: number;
  endsAtLineBreak: boolean;
  /** Only for files that may legitimately arrive smaller than listed. */
  sha256?: string;
}

async function verifyDownload(
  ctx: CopyContext,
  action: CopyAction,
  res: IncomingMessage,
  received: Received,
  attempts: { lastShort?: ShortRead },
): Promise<void> {
  const { file } = action;
  if (!res.complete) throw transferError(`download of ${file.name} ended early after ${received.bytes} bytes`);
  if (received.bytes < file.size && !acceptShortRead(file.name, received, attempts)) {
    throw transferError(`download of ${file.name} returned ${received.bytes} bytes, ${file.size} were listed`);
  }
  if (action.verify === "relist") {
    const expected = action.unchanged ?? { contains: file.name, files: [file] };
    const now = await withRetry(ctx.retry, () => listLogFiles(ctx.aws, ctx.instance, expected.contains));
    const moved = expected.files.find((f) => !now.some((n) => n.name === f.name && n.lastWritten === f.lastWritten && n.size === f.size));
    if (moved) throw changedDuringCopy(`${moved.name} was rotated or rewritten while ${file.name} was being copied`);
  }
}

/**
 * RDS filters MySQL error logs on download, so they may arrive smaller than listed. Such a body is accepted
 * only when it ends at a line break and a second download returned exactly the same bytes: a body cut short
 * by the network fails at least one of the two.
 */
function acceptShortRead(name: string, received: Received, attempts: { lastShort?: ShortRead }): boolean {
  if (!mayArriveSmaller(name) || received.sha256 === undefined || !received.endsAtLineBreak) return false;
  const confirmed = attempts.lastShort?.bytes === received.bytes && attempts.lastShort.sha256 === received.sha256;
  attempts.lastShort = { bytes: received.bytes, sha256: received.sha256 };
  return confirmed;
}

/** Peeks at the first two bytes without consuming them. */
async function startsWithGzipMagic(res: IncomingMessage): Promise<boolean> {
  const seen: Buffer[] = [];
  let length = 0;
  while (length < 2) {
    const chunk = res.read() as Buffer | null;
    if (chunk) {
      seen.push(chunk);
      length += chunk.length;
      continue;
    }
    if (res.readableEnded || res.destroyed) break;
    if (!(await readableOrEnded(res))) break;
  }
  const head = Buffer.concat(seen);
  if (head.length > 0) res.unshift(head);
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Resolves true when more data can be read, false when the stream ended or closed. */
function readableOrEnded(res: IncomingMessage): Promise<boolean> {
  // Listeners are declared before use: Pulumi's closure serializer cannot capture a const used before its declaration.
  return new Promise<boolean>((resolve) => {
    let onReadable = (): void => undefined;
    let onEnd = (): void => undefined;
    const settle = (value: boolean) => {
      res.off("readable", onReadable).off("end", onEnd).off("close", onEnd);
      resolve(value);
    };
    onReadable = () => settle(true);
    onEnd = () => settle(false);
    res.once("readable", onReadable).once("end", onEnd).once("close", onEnd);
  });
}

/** sha256 and byte count of the plain content, and optionally whether it starts with a previous version. */
function contentHasher(previous?: ManifestEntry) {
  const whole = createHash("sha256");
  const prefix = previous ? createHash("sha256") : undefined;
  let bytes = 0;
  let digest: string | undefined;
  let prefixDigest: string | undefined;
  // Chunks are passed on in batches of STREAM_BUFFER bytes: each write to gzip is a round trip to libuv's
  // thread pool, and network-sized chunks would spend much of the copy on those round trips.
  let batch: Buffer[] = [];
  let batched = 0;
  const stream = new Transform({
    highWaterMark: STREAM_BUFFER,
    transform(chunk: Buffer, _enc, done) {
      whole.update(chunk);
      if (prefix && previous && bytes < previous.bytes) prefix.update(chunk.subarray(0, previous.bytes - bytes));
      bytes += chunk.length;
      batch.push(chunk);
      batched += chunk.length;
      if (batched < STREAM_BUFFER) return done();
      const out = Buffer.concat(batch, batched);
      [batch, batched] = [[], 0];
      done(null, out);
    },
    flush(done) {
      digest = whole.digest("hex");
      if (prefix && previous && bytes >= previous.bytes) prefixDigest = prefix.digest("hex");
      done(null, batched > 0 ? Buffer.concat(batch, batched) : undefined);
    },
  });
  return {
    stream,
    bytes: () => bytes,
    sha256: () => {
      if (digest === undefined) throw new Error("content hash read before the stream ended");
      return digest;
    },
    prefixMatches: () => previous !== undefined && prefixDigest === previous.sha256,
  };
}

function objectMetadata(instance: string, action: CopyAction): Record<string, string> {
  return {
    "rds-instance": instance,
    "rds-log-file": metadataValue(action.file.name),
    "rds-size": String(action.file.size),
    "rds-last-written": String(action.file.lastWritten),
  };
}
