/**
 * What verify says about each file RDS still lists: archived, pending, deferred or missing. Pure: the planner
 * decides each file's key and whether it is closed; the archive's objects say whether the key holds it.
 */
import { planInstance, type PlannedAction } from "../planning/plan-instance";
import { emptyManifest } from "../planning/manifest";
import type { ListedFile } from "../planning/log-file-names";
import type { ProvenanceResult } from "../s3/metadata";

export type FileStatus = "archived" | "pending" | "deferred" | "missing";

export interface FileVerdict {
  file: string;
  size: number;
  lastWritten: number;
  status: FileStatus;
  /** The key the file is (or will be) archived under, when it maps to one. */
  key?: string;
  /** Why it is pending, deferred or missing; for archived files, only when it needed saying. */
  reason?: string;
}

export interface ClassifyInput {
  group: string;
  instance: string;
  listing: readonly ListedFile[];
  /** The archive's objects of this instance, by key: what their metadata says. */
  objects: ReadonlyMap<string, ProvenanceResult>;
  now: number;
  /** A closed file last written this recently and not archived yet is deferred (the next sync takes it), not missing. */
  deferWindowMs: number;
}

/** One verdict per listed file, in listing order. */
export function classifyFiles(input: ClassifyInput): FileVerdict[] {
  const plan = planInstance({
    instance: input.instance, group: input.group, listing: input.listing, manifest: emptyManifest(),
    now: input.now, include: [], activeRefreshMs: 0,
  });
  return plan.actions.map((a) => verdictOf(a, input));
}

function verdictOf(a: PlannedAction, input: ClassifyInput): FileVerdict {
  const base = { file: a.file.name, size: a.file.size, lastWritten: a.file.lastWritten };
  if (a.action === "reject") return { ...base, status: "missing", reason: `the sync cannot archive it: ${a.reason}` };
  if (a.action === "skip") {
    const { key } = a;
    if (a.reason.startsWith("compressed twin") && key !== undefined && input.objects.has(key)) {
      return { ...base, key, status: "archived", reason: "archived from its uncompressed original" };
    }
    return { ...base, ...(key ? { key } : {}), status: "pending", reason: a.reason };
  }
  const { key } = a;
  // A copy of a closed file: the planner, knowing nothing archived, would copy every closed file.
  const meta = input.objects.get(key);
  const mismatch = meta ? listingMismatch(a.file, meta) : "no object under its key";
  if (mismatch === undefined) return { ...base, key, status: "archived" };
  const recent = input.now - a.file.lastWritten < input.deferWindowMs;
  return { ...base, key, status: recent ? "deferred" : "missing", reason: recent ? `closed recently: the next sync archives it (${mismatch})` : mismatch };
}

/**
 * Why the object under a file's key does not hold the file as listed, if it does not. A file RDS compressed after
 * it was archived (`x.gz` listed, `x` archived, not written since) is the same content.
 */
export function listingMismatch(file: ListedFile, object: ProvenanceResult): string | undefined {
  if (!("provenance" in object)) return `the object under its key has no usable metadata (${object.problems.join("; ")})`;
  const p = object.provenance;
  if (p.size === file.size && p.lastWritten === file.lastWritten) return undefined;
  if (file.name.endsWith(".gz") && p.file === file.name.slice(0, -3) && file.lastWritten <= p.lastWritten) return undefined;
  return (
    `the object under its key holds another version: archived ${p.size} bytes last written ${new Date(p.lastWritten).toISOString()}, ` +
    `listed ${file.size} bytes last written ${new Date(file.lastWritten).toISOString()}`
  );
}
