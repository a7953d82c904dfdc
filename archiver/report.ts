/** What a sync run did, per instance and per file. The CLI's --json output and the Lambda's return value. */

export interface FileOutcome {
  file: string;
  /** The S3 key the file is (or would be) archived under, when it maps to one. */
  key?: string;
  /** Why it was copied, skipped or failed: e.g. "new", "closed", "already archived", "active". */
  reason: string;
  /** Bytes listed by RDS. */
  size?: number;
  bytesRead?: number;
  bytesWritten?: number;
}

export interface InstanceReport {
  instance: string;
  /** The cluster id for Aurora members, else the instance id: the first segment of every key. */
  group: string;
  listed: number;
  copied: FileOutcome[];
  skipped: FileOutcome[];
  failed: FileOutcome[];
  /** Dry runs only: the copies a real run would make. */
  planned?: FileOutcome[];
  /** Set when the instance as a whole failed (listing, state); carries the AWS error code. */
  error?: { code: string; message: string };
  bytesRead: number;
  bytesWritten: number;
  /** LastWritten (POSIX ms) of the oldest closed file this run listed but did not archive. */
  oldestUnarchived?: number;
}

export interface SyncReport {
  bucket: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  /** True only when every target and every file synced completely. */
  ok: boolean;
  instances: InstanceReport[];
  /** Failures that belong to no instance: an unknown cluster, a missing bucket. */
  errors: { target: string; code: string; message: string }[];
  totals: { listed: number; copied: number; skipped: number; failed: number; bytesRead: number; bytesWritten: number };
}
