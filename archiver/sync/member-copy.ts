/**
 * The compressing half of a copy: plain content in, an archive object out, as gzip members compressed in
 * parallel and grouped into multipart parts (archiver/s3/member-parts.ts). Members go to Node's async zlib,
 * which runs on libuv's thread pool: up to `threads` members compress at once while this thread reads, hashes
 * and uploads, and memory holds only those members, the part being filled and the one being uploaded.
 *
 * A copy stopped by the invocation's deadline (./stop.ts) ends at the last part S3 acknowledged and records its
 * upload (archiver/s3/upload-record.ts), so that the next run continues from that part's raw end. A stop by a
 * signal (the CLI's SIGINT/SIGTERM) or any failure aborts the upload: nothing partial becomes visible, and no
 * upload stays open unrecorded.
 */
import type { Readable } from "stream";
import { createHash } from "crypto";
import * as zlib from "zlib";
import type { AwsClients } from "../aws-clients";
import { ARCHIVE_CONTENT_TYPE, abortUpload, completeUpload, createUpload, isNoSuchUpload, uploadPart } from "../s3/multipart";
import { partIsFull, withinPartLimit, type PartPlan } from "../s3/member-parts";
import { contentMetadata } from "../s3/metadata";
import { UPLOAD_CHECKSUM } from "../s3/upload-checksum";
import { replaceMetadata } from "../s3/replace-metadata";
import { S3_LIMITS, S3_MAX_PARTS } from "../s3/s3-limits";
import { objectTooLarge } from "../s3/upload-archive-object";
import { compressedBytes, resumeOffset, type CompletedUpload, type DonePart, type UploadRecord } from "../s3/upload-record";
import type { UploadRecordStore } from "../s3/upload-records";
import { changedDuringCopy } from "./download-checks";
import { contentDigest, type ContentDigest, type PreviousContent } from "./content-digest";
import { DEADLINE_REASON, stoppedError } from "./stop";

/** Parts uploading at once. Two would keep the download flowing during a slow part, but a part still uploading when a failed copy aborts its upload races the abort (s3rver fails it); one until that is handled. */
const PARTS_IN_FLIGHT = 1;
/** How often, at most, the record of a running multipart copy is rewritten; a stop or a finish writes it at once. */
const RECORD_EVERY_MS = 5_000;
/** zlib's output chunk for a member (see gzipMember). */
const MEMBER_OUTPUT_CHUNK = 256 * 1024;

export interface MemberCopyTarget {
  aws: AwsClients;
  bucket: string;
  key: string;
  /** The instance and the file, for messages. */
  source: string;
  file: { name: string; size: number; lastWritten: number };
  servedGzip: boolean;
  metadata: Record<string, string>;
  plan: PartPlan;
  gzipLevel: number;
  threads: number;
  /** Keep an exportable hash state in the record, so that a Range download can resume without the prefix. */
  keepHashState: boolean;
  records?: UploadRecordStore;
  maxObjectBytes?: number;
  maxCopyBytes?: number;
  signal?: AbortSignal;
  now: () => number;
  previous?: PreviousContent;
}

export interface Resume {
  record: UploadRecord;
  /** The body starts at the record's offset (a Range request was honoured); otherwise it starts at 0 and the prefix is skipped. */
  ranged: boolean;
}

export interface MemberCopyResult {
  bytes: number;
  sha256: string;
  bytesWritten: number;
  prefixMatches?: boolean;
}

/** A copy stopped at a part boundary, its upload recorded for the next run. */
export function isStoppedWithProgress(err: unknown): err is Error & { resumeAt: number } {
  return err instanceof Error && err.name === "RunStopped" && typeof (err as { resumeAt?: unknown }).resumeAt === "number";
}

/**
 * One gzip member, compressed on libuv's thread pool (the bench measures the engine through it). zlib's default
 * 16 KiB output chunk costs a round trip to this thread per chunk, and a pool thread waits out each one while this
 * thread hashes or uploads. 256 KiB holds a member of log lines in one or two passes; room for the whole raw
 * member would be a large allocation per member for the garbage collector, and measured no faster. The result
 * is copied out, so a part being filled holds compressed bytes only.
 */
export function gzipMember(raw: Buffer, level: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    zlib.gzip(raw, { level, chunkSize: MEMBER_OUTPUT_CHUNK }, (err, out) => (err ? reject(err) : resolve(Buffer.concat([out], out.length)))),
  );
}

export async function copyMembers(t: MemberCopyTarget, content: Readable, resume?: Resume): Promise<MemberCopyResult> {
  const offset = resume ? resumeOffset(resume.record) : 0;
  const plan: PartPlan = resume ? { partBytes: resume.record.partBytes, memberBytes: resume.record.memberBytes } : t.plan;
  // The whole-content hash continues from the recorded state when there is one, after a 206 or a 200 alike; a
  // skipped prefix is then checked with node:crypto only. Without a state the prefix is fed to the digest again.
  const state = resume?.record.hashState?.bytes === offset && (resume.ranged || !t.previous) ? resume.record.hashState : undefined;
  const digest: ContentDigest = contentDigest({
    keepState: t.keepHashState,
    ...(state ? { from: state } : {}),
    ...(t.previous && !resume?.ranged ? { previous: t.previous } : {}),
  });
  const skippedPrefix = resume && !resume.ranged && state ? createHash("sha256") : undefined;
  const prefixSha256 = () => (skippedPrefix ? skippedPrefix.digest("hex") : digest.prefixSha256());
  const maxObjectBytes = t.maxObjectBytes ?? S3_LIMITS.maxObjectBytes;

  let record: UploadRecord | undefined = resume?.record;
  const parts: DonePart[] = record ? [...record.parts] : [];
  let stored = record ? compressedBytes(record) : 0;
  let writtenNow = 0;
  let lastRecordAt = t.now();
  let uploading: Promise<void> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  let nextPart = parts.length + 1;
  let uploadFailure: unknown;
  let completed = false;
  let open: { members: Buffer[]; bytes: number; rawEnd: number } = { members: [], bytes: 0, rawEnd: offset };
  const compressing: { raw: Buffer; out: Promise<Buffer> }[] = [];

  const onAbort = () => content.destroy(stoppedError(t.signal!));
  t.signal?.addEventListener("abort", onAbort, { once: true });

  const saveRecord = async (force: boolean) => {
    if (!record || !t.records) return;
    if (!force && t.now() - lastRecordAt < RECORD_EVERY_MS) return;
    lastRecordAt = t.now();
    await t.records.put({ ...record, parts: [...parts] });
  };

  const startUpload = async (): Promise<UploadRecord> => {
    const uploadId = await createUpload(t.aws, t.bucket, t.key, t.metadata);
    record = {
      key: t.key, uploadId, file: t.file.name, size: t.file.size, lastWritten: t.file.lastWritten, servedGzip: t.servedGzip,
      partBytes: plan.partBytes, memberBytes: plan.memberBytes, parts: [], prefixSha256: "", startedAt: t.now(),
    };
    // Recorded before any part: a run killed from here on leaves an upload the next run finds, continues or aborts.
    await saveRecord(true);
    return record;
  };

  /**
   * Sends the open part. Up to PARTS_IN_FLIGHT go up at once, so the download keeps flowing while one is sent;
   * each is recorded only after the one before it, so the record always lists a contiguous run of parts.
   */
  const sendPart = async () => {
    if (inFlight.length >= PARTS_IN_FLIGHT) await inFlight.shift();
    if (uploadFailure) throw uploadFailure;
    // A stop ends the copy at the parts already sent, also once the download has been read to its end and only
    // the last parts are left to send: otherwise whether a stopped copy finishes would depend on timing.
    if (t.signal?.aborted) throw stoppedError(t.signal);
    const part = open;
    open = { members: [], bytes: 0, rawEnd: part.rawEnd };
    if (part.bytes === 0) return;
    const n = nextPart++;
    if (stored + part.bytes > maxObjectBytes) {
      throw objectTooLarge(`${t.source}: the archive object grew past ${maxObjectBytes} bytes, the most S3 can store as one object; nothing was stored`);
    }
    if (!withinPartLimit(n)) {
      throw objectTooLarge(`${t.source}: the archive object needs more than ${S3_MAX_PARTS} parts of ${plan.partBytes} bytes, the most S3 can store as one object; nothing was stored`);
    }
    const prefixSha256 = digest.prefixSha256();
    const hashState = digest.exportState();
    const current = record ?? (await startUpload());
    stored += part.bytes;
    const sent = uploadPart(t.aws, t.bucket, t.key, current.uploadId, n, Buffer.concat(part.members, part.bytes));
    uploading = Promise.all([uploading, sent]).then(
      async ([, storedPart]) => {
        if (uploadFailure) return;
        parts.push({ n, ...storedPart, rawEnd: part.rawEnd, size: part.bytes });
        writtenNow += part.bytes;
        record = { ...current, parts: [...parts], prefixSha256, ...(hashState ? { hashState } : {}) };
        // The first part at once: from then on a killed run leaves something worth continuing.
        await saveRecord(parts.length === 1);
      },
      (err: unknown) => {
        uploadFailure ??= err;
      },
    );
    inFlight.push(uploading);
  };

  const takeCompressed = async () => {
    const head = compressing.shift()!;
    const out = await head.out;
    digest.update(head.raw);
    open.members.push(out);
    open.bytes += out.length;
    open.rawEnd += head.raw.length;
    if (partIsFull(open.bytes, plan)) await sendPart();
  };

  const compress = async (raw: Buffer) => {
    compressing.push({ raw, out: gzipMember(raw, t.gzipLevel) });
    // Consumed in order; a rejected member is awaited in takeCompressed, never left unhandled.
    compressing[compressing.length - 1].out.catch(() => undefined);
    if (compressing.length >= t.threads) await takeCompressed();
  };

  try {
    let position = resume?.ranged ? offset : 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    for await (const chunk of content as AsyncIterable<Buffer>) {
      let data = chunk;
      if (position < offset) {
        const skipped = data.subarray(0, offset - position);
        if (skippedPrefix) skippedPrefix.update(skipped);
        else digest.update(skipped);
        position += skipped.length;
        data = data.subarray(skipped.length);
        if (position === offset) checkPrefix(prefixSha256(), resume!.record, t.source);
        if (data.length === 0) continue;
      }
      position += data.length;
      pending.push(data);
      pendingBytes += data.length;
      while (pendingBytes >= plan.memberBytes) {
        const joined = Buffer.concat(pending, pendingBytes);
        await compress(joined.subarray(0, plan.memberBytes));
        const rest = joined.subarray(plan.memberBytes);
        [pending, pendingBytes] = [rest.length > 0 ? [rest] : [], rest.length];
      }
      if (uploadFailure) throw uploadFailure;
    }
    if (position < offset) throw changedDuringCopy(`${t.source} is now shorter than the ${offset} bytes its resumed copy already stored`);
    if (pendingBytes > 0 || (position === 0 && !record)) await compress(Buffer.concat(pending, pendingBytes));
    while (compressing.length > 0) await takeCompressed();

    if (!record) return await putWhole(t, digest, open);
    await sendPart();
    await uploading;
    if (uploadFailure) throw uploadFailure;
    const finalRecord = record as UploadRecord;
    const etag = await completeUpload(t.aws, t.bucket, t.key, finalRecord.uploadId, parts);
    // The upload is an object now: nothing is left to abort. Its metadata copy may outlast the invocation (a large
    // object's is a multipart copy), so the record says what it must carry, and a killed run's successor only labels it.
    completed = true;
    const done: CompletedUpload = { ...(etag ? { etag } : {}), objectBytes: stored, bytes: digest.bytes(), sha256: digest.sha256(), ...withPrefix(digest) };
    await t.records?.put({ ...finalRecord, parts: [...parts], completed: done });
    await labelObject(t, done);
    return { bytes: done.bytes, sha256: done.sha256, bytesWritten: writtenNow, ...withPrefix(digest) };
  } catch (err) {
    content.destroy();
    await uploading;
    const current = record as UploadRecord | undefined;
    if (t.signal?.aborted && t.signal.reason === DEADLINE_REASON && current && parts.length > 0 && !uploadFailure) {
      // Out of time: keep what S3 acknowledged, for the next run. A signal (the CLI's Ctrl-C) aborts, as a failure does.
      await t.records?.put({ ...current, parts: [...parts] });
      throw Object.assign(stoppedError(t.signal), { resumeAt: parts[parts.length - 1].rawEnd });
    }
    // A completed object left unlabelled by a failure (not a kill) is copied again next run, as before records.
    if (completed) await t.records?.drop(t.key).catch(() => undefined);
    if (current && !completed) {
      await abortUpload(t.aws, t.bucket, t.key, current.uploadId).catch(() => undefined);
      await t.records?.drop(t.key).catch(() => undefined);
    }
    const cause = uploadFailure ?? err;
    if (isNoSuchUpload(cause)) throw changedDuringCopy(`${t.source}: its recorded upload is gone; the copy starts over`);
    throw cause;
  } finally {
    t.signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Adds `bytes` and `sha256` to an object a member copy completed, by a copy onto itself conditional on its ETag,
 * then drops the record. Also what a later run does with a record whose object was completed but not labelled.
 */
export async function labelObject(t: Pick<MemberCopyTarget, "aws" | "bucket" | "key" | "metadata" | "maxCopyBytes" | "records">, done: CompletedUpload): Promise<void> {
  await replaceMetadata(t.aws, {
    bucket: t.bucket, key: t.key, size: done.objectBytes, contentType: ARCHIVE_CONTENT_TYPE,
    metadata: { ...t.metadata, ...contentMetadata(done.bytes, done.sha256) },
    ...(done.etag ? { sourceETag: done.etag } : {}),
    ...(t.maxCopyBytes ? { maxCopyBytes: t.maxCopyBytes } : {}),
  });
  await t.records?.drop(t.key);
}

/** The skipped prefix must be the content the recorded parts hold; otherwise the file was rewritten. */
function checkPrefix(prefixSha256: string, record: UploadRecord, source: string): void {
  if (prefixSha256 !== record.prefixSha256) {
    throw changedDuringCopy(`${source}: the first ${resumeOffset(record)} bytes changed since its copy started; the copy starts over`);
  }
}

function withPrefix(digest: ContentDigest): { prefixMatches?: boolean } {
  const m = digest.prefixMatches();
  return m === undefined ? {} : { prefixMatches: m };
}

/** A body that never filled a part: one PutObject, with every metadata value. */
async function putWhole(t: MemberCopyTarget, digest: ContentDigest, open: { members: Buffer[]; bytes: number }): Promise<MemberCopyResult> {
  const sha256 = digest.sha256();
  await t.aws.s3.send(
    new t.aws.sdk.s3.PutObjectCommand({
      Bucket: t.bucket, Key: t.key, Body: Buffer.concat(open.members, open.bytes), ContentType: ARCHIVE_CONTENT_TYPE,
      Metadata: { ...t.metadata, ...contentMetadata(digest.bytes(), sha256) }, ChecksumAlgorithm: UPLOAD_CHECKSUM,
    }),
  );
  return { bytes: digest.bytes(), sha256, bytesWritten: open.bytes, ...withPrefix(digest) };
}
