/**
 * The record of a copy that did not finish in its invocation: its multipart upload and how far it got. Pure:
 * the shape, parsing, and the check that decides whether a later run may continue it. The store is
 * ./upload-records.ts; the layout key is archiver/layout/upload-record-key.ts.
 */
import type { Sha256State } from "../sync/sha256-midstate";

export interface DonePart {
  /** Part number, 1-based. */
  n: number;
  etag: string;
  /** The CRC32 S3 computed for the part, when it gave one: CompleteMultipartUpload repeats it. */
  crc32?: string;
  /** Raw (plain content) end offset of the part, exclusive: its start is the previous part's end, or 0. */
  rawEnd: number;
  /** Compressed bytes of the part. */
  size: number;
}

/** An upload completed into its object, whose final metadata may still be missing. */
export interface CompletedUpload {
  etag?: string;
  /** Compressed size of the object. */
  objectBytes: number;
  bytes: number;
  sha256: string;
  /** For a copy that replaces an older key: whether the content starts with the old. */
  prefixMatches?: boolean;
}

export interface UploadRecord {
  key: string;
  uploadId: string;
  /** The file as listed when the copy started: a later listing that differs starts the copy over. */
  file: string;
  size: number;
  lastWritten: number;
  /** RDS served the body gzip-compressed: offsets count the plain content, and a Range request cannot reach them. */
  servedGzip: boolean;
  partBytes: number;
  memberBytes: number;
  parts: DonePart[];
  /** sha256 of the plain content up to the last part's raw end: checks the prefix a resumed download skips. */
  prefixSha256: string;
  /** The whole-content hash in progress at the same offset, when the copy keeps one: lets a Range download skip the prefix. */
  hashState?: Sha256State;
  /** POSIX ms */
  startedAt: number;
  /** Set once the upload is an object: the next run only adds its metadata. */
  completed?: CompletedUpload;
}

export interface UploadRecords {
  version: 1;
  uploads: Record<string, UploadRecord>;
}

export function emptyRecords(): UploadRecords {
  return { version: 1, uploads: {} };
}

/** The raw offset the copy continues from. */
export function resumeOffset(record: UploadRecord): number {
  return record.parts.length === 0 ? 0 : record.parts[record.parts.length - 1].rawEnd;
}

export function compressedBytes(record: UploadRecord): number {
  return record.parts.reduce((n, p) => n + p.size, 0);
}

/** Why a listed file cannot continue `record`, or undefined when it can. */
export function resumeProblem(record: UploadRecord, listed: { key: string; name: string; size: number; lastWritten: number }): string | undefined {
  if (record.key !== listed.key) return `the record is for ${record.key}`;
  if (record.file !== listed.name) return `the record is for file ${record.file}`;
  if (record.size !== listed.size || record.lastWritten !== listed.lastWritten) {
    return `${listed.name} changed since its copy started (size ${record.size} -> ${listed.size}, LastWritten ${record.lastWritten} -> ${listed.lastWritten})`;
  }
  return undefined;
}

/** Reads a stored record object. Anything unreadable counts as empty: the uploads it held are left to the stale-upload sweep. */
export function parseRecords(text: string | undefined): UploadRecords {
  if (!text) return emptyRecords();
  try {
    const parsed = JSON.parse(text) as Partial<UploadRecords>;
    if (parsed.version !== 1 || typeof parsed.uploads !== "object" || parsed.uploads === null) return emptyRecords();
    const uploads: Record<string, UploadRecord> = {};
    for (const [key, r] of Object.entries(parsed.uploads)) if (isRecord(r)) uploads[key] = r;
    return { version: 1, uploads };
  } catch {
    return emptyRecords();
  }
}

function isRecord(r: unknown): r is UploadRecord {
  const x = r as UploadRecord;
  return (
    typeof x === "object" && x !== null && typeof x.key === "string" && typeof x.uploadId === "string" && typeof x.file === "string" &&
    Number.isFinite(x.size) && Number.isFinite(x.lastWritten) && Number.isInteger(x.partBytes) && Number.isInteger(x.memberBytes) &&
    Array.isArray(x.parts) && x.parts.every((p, i) => p.n === i + 1 && typeof p.etag === "string" && (p.crc32 === undefined || typeof p.crc32 === "string") && Number.isFinite(p.rawEnd) && Number.isFinite(p.size)) &&
    typeof x.prefixSha256 === "string"
  );
}
