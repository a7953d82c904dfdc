/** What a verify run found: per instance, per listed file and per archived object; the CLI's --json and the scheduled function's report. */
import type { FileVerdict } from "./classify-files";

export type ObjectProblem =
  /** None of the archive metadata: the object was not written by the sync, or its metadata was removed. */
  | "no-metadata"
  /** Some keys missing or malformed, or provenance that contradicts the key. */
  | "bad-metadata"
  /** --deep: the content does not have the `bytes` or `sha256` its metadata records. */
  | "mismatched"
  /** --deep: the body is not a valid gzip stream. */
  | "corrupt"
  /** --deep: the file RDS still holds has other content than the archived one. */
  | "differs-from-rds"
  /** --digests: the object is not the one the digest chain recorded (deleted, replaced, altered). */
  | "digest"
  /** The object could not be read (it vanished, or S3 refused). */
  | "unreadable";

export interface ObjectFinding {
  key: string;
  problem: ObjectProblem;
  detail: string;
}

/** A file the gap ledger recorded: it left RDS's listing before it was archived. */
export interface LostFile {
  file: string;
  detail: string;
}

export interface InstanceVerification {
  instance: string;
  group: string;
  listed: number;
  files: FileVerdict[];
  /** Archive objects of the instance whose metadata was checked. */
  objectsChecked: number;
  /** --deep: objects whose content was read and hashed, and closed files downloaded again from RDS. */
  objectsRead: number;
  filesRedownloaded: number;
  findings: ObjectFinding[];
  lost: LostFile[];
  /** Set when the instance could not be verified at all (listing failed, unknown instance). */
  error?: { code: string; message: string };
}

/** A break in one instance's digest chain, named by the digest it shows in. */
export interface ChainBreak {
  group: string;
  instance: string;
  key: string;
  detail: string;
}

export interface VerifyTotals {
  listed: number;
  archived: number;
  pending: number;
  deferred: number;
  /** Closed files not archived, and files the gap ledger recorded as lost. */
  missing: number;
  objectsChecked: number;
  /** Objects with any finding, and digest chain breaks. */
  mismatched: number;
}

export interface VerifyReport {
  bucket: string;
  deep: boolean;
  digests: boolean;
  startedAt: string;
  finishedAt: string;
  /** Nothing missing, nothing mismatched, nothing that could not be checked. */
  ok: boolean;
  instances: InstanceVerification[];
  /** --digests: breaks of a group's digest chain (a digest deleted, replaced or altered). */
  chainBreaks: ChainBreak[];
  /** Problems that belong to no instance: the bucket, an unknown cluster, a bucket never synced. */
  errors: { target: string; code: string; message: string }[];
  totals: VerifyTotals;
}

export function verifyTotals(instances: readonly InstanceVerification[], chainBreaks: number): VerifyTotals {
  const count = (status: FileVerdict["status"]) => instances.reduce((n, i) => n + i.files.filter((f) => f.status === status).length, 0);
  return {
    listed: instances.reduce((n, i) => n + i.listed, 0),
    archived: count("archived"),
    pending: count("pending"),
    deferred: count("deferred"),
    missing: count("missing") + instances.reduce((n, i) => n + i.lost.length, 0),
    objectsChecked: instances.reduce((n, i) => n + i.objectsChecked, 0),
    mismatched: instances.reduce((n, i) => n + new Set(i.findings.map((f) => f.key)).size, 0) + chainBreaks,
  };
}

export function isVerified(report: Pick<VerifyReport, "errors" | "instances" | "totals">): boolean {
  return report.totals.missing === 0 && report.totals.mismatched === 0 && report.errors.length === 0 && report.instances.every((i) => !i.error);
}
