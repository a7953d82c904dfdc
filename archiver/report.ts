/**
 * What a sync run did, per instance and per file: the CLI's --json output and the Lambda's return value, and the
 * events it reports while it runs (the CLI's progress lines, the Lambda's log lines).
 */
import type { SkipKind } from "./planning/plan-instance";

export type { SkipKind };

export interface FileOutcome {
  file: string;
  /** The S3 key the file is (or would be) archived under, when it maps to one. */
  key?: string;
  /** Why it was copied, skipped, deferred or failed: e.g. "new", "closed", "already archived", "active". */
  reason: string;
  /** Bytes listed by RDS. */
  size?: number;
  bytesRead?: number;
  bytesWritten?: number;
  /** Skipped files only: archived already (or nothing to keep), waiting (still active), or excluded by --include. */
  skip?: SkipKind;
}


export interface InstanceReport {
  instance: string;
  /** The cluster id for Aurora members, else the instance id: the first segment of every key. */
  group: string;
  listed: number;
  copied: FileOutcome[];
  skipped: FileOutcome[];
  /**
   * Files left for the next run, which is not a failure: the run had too little time left to start them,
   * or it was stopped (a signal, the Lambda's deadline) before or while copying them.
   */
  deferred: FileOutcome[];
  failed: FileOutcome[];
  /** Dry runs only: the copies a real run would make. */
  planned?: FileOutcome[];
  /** Set when the instance as a whole failed (listing, state); carries the AWS error code. */
  error?: { code: string; message: string };
  bytesRead: number;
  bytesWritten: number;
  /**
   * Files the last run listed, unarchived, that RDS no longer holds (rotated away, deleted by retention or by
   * Aurora when its log storage filled), each recorded in the gap ledger under `key`.
   */
  lost?: LostFile[];
  /** Set when the state object was missing or unreadable and was rebuilt from the archive's own metadata. */
  stateRebuilt?: { archivedFilesFound: number };
  /** LastWritten (POSIX ms) of the oldest closed file this run listed but did not archive, deferred ones included. */
  oldestUnarchived?: number;
}

export interface LostFile {
  file: string;
  /** Size and LastWritten when last listed. */
  size: number;
  lastWritten: number;
  reason: string;
  /** The gap ledger object; absent in a dry run. */
  key?: string;
}

export interface SyncReport {
  bucket: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  /** True when no target and no file failed; files deferred to the next run do not count against it. */
  ok: boolean;
  /** Set when the run was stopped early (a signal, the Lambda's deadline): why. */
  stopped?: string;
  /** Keys of multipart uploads a hard-killed earlier run left open, aborted by this one. */
  staleUploadsAborted?: string[];
  instances: InstanceReport[];
  /** Failures that belong to no instance: an unknown cluster, a missing bucket. */
  errors: { target: string; code: string; message: string }[];
  /** `skipped` is the sum of `archived`, `waiting` and `excluded`, the three kinds of skip. */
  totals: {
    listed: number; copied: number; skipped: number; archived: number; waiting: number; excluded: number;
    deferred: number; failed: number; bytesRead: number; bytesWritten: number; lost?: number;
  };
}

/** What happens to one file while the run goes on, as it happens. */
export type SyncEvent =
  /** A round of an instance's plan: the copies it will start (a re-plan after a round adds its new ones). */
  | { type: "planned"; instance: string; files: number; bytes: number }
  | { type: "copy-start"; instance: string; file: string; key: string; size: number }
  | { type: "progress"; instance: string; file: string; bytesRead: number; size: number }
  | { type: "copied"; instance: string; file: string; key: string; reason: string; bytesRead: number; bytesWritten: number; ms: number }
  | { type: "deferred"; instance: string; file: string; key: string; reason: string }
  | { type: "failed"; instance: string; file?: string; key?: string; reason: string; code?: string }
  | { type: "lost"; instance: string; file: string; size: number; lastWritten: number; reason: string; key?: string };
