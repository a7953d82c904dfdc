import { isDigestObject, type DigestObject } from "../digests/digest";
import { recordId, type DigestHead } from "../digests/digest-plan";
import type { WatchedFile } from "./gaps";

/**
 * The per-instance state object: which content identities are archived, under which key, as listed when copied.
 * A cache, not the source of truth: losing an entry costs a repeated copy to the same key, never a duplicate.
 */

export interface ManifestEntry {
  key: string;
  /** The RDS name the content had when it was copied. */
  file: string;
  /** Size and LastWritten as listed when the copy was planned. */
  size: number;
  lastWritten: number;
  /** Uncompressed bytes archived and their sha256 (hex). */
  bytes: number;
  sha256: string;
  archivedAt: number;
  /** A refresh of a still-active file: its final version will replace the object. */
  partial?: boolean;
}

export interface Manifest {
  version: 1;
  entries: Record<string, ManifestEntry>;
  /** What the last run listed and had not archived: the next run records those gone since as gaps (gaps.ts). */
  watch?: WatchedFile[];
  /** The journal: objects stored and not yet listed in a digest (archiver/digests/). */
  stored?: DigestObject[];
  /** The newest digest written. */
  digestHead?: DigestHead;
}

export function emptyManifest(): Manifest {
  return { version: 1, entries: {} };
}

/** Reads a stored manifest. Anything unreadable counts as empty: the only cost is copying again. */
export function parseManifest(text: string | undefined): Manifest {
  return parseStoredManifest(text) ?? emptyManifest();
}

/** Reads a stored manifest; undefined when there is none or it cannot be read (then the sync rebuilds it from the archive). */
export function parseStoredManifest(text: string | undefined): Manifest | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<Manifest>;
    if (parsed.version !== 1 || typeof parsed.entries !== "object" || parsed.entries === null) return undefined;
    const entries: Record<string, ManifestEntry> = {};
    for (const [id, e] of Object.entries(parsed.entries)) {
      if (isEntry(e)) entries[id] = e;
    }
    const watch = Array.isArray(parsed.watch) ? parsed.watch.filter(isWatched) : undefined;
    const stored = Array.isArray(parsed.stored) ? parsed.stored.filter(isDigestObject) : undefined;
    const head = parsed.digestHead;
    const digestHead = head && Number.isFinite(head.hour) && typeof head.key === "string" && typeof head.sha256 === "string" ? head : undefined;
    return { version: 1, entries, ...(watch ? { watch } : {}), ...(stored ? { stored } : {}), ...(digestHead ? { digestHead } : {}) };
  } catch {
    return undefined;
  }
}

function isEntry(e: unknown): e is ManifestEntry {
  const x = e as ManifestEntry;
  return (
    typeof x === "object" && x !== null &&
    typeof x.key === "string" && typeof x.file === "string" &&
    Number.isFinite(x.size) && Number.isFinite(x.lastWritten) &&
    Number.isFinite(x.bytes) && typeof x.sha256 === "string" && Number.isFinite(x.archivedAt)
  );
}

function isWatched(w: unknown): w is WatchedFile {
  const x = w as WatchedFile;
  return typeof x === "object" && x !== null && typeof x.file === "string" && Number.isFinite(x.size) && Number.isFinite(x.lastWritten);
}

export function serializeManifest(m: Manifest): string {
  const sorted = Object.fromEntries(Object.entries(m.entries).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify({
    version: 1, entries: sorted, ...(m.watch ? { watch: m.watch } : {}), ...(m.stored ? { stored: m.stored } : {}), ...(m.digestHead ? { digestHead: m.digestHead } : {}),
  });
}

export interface MergeInput {
  /** The manifest as this run read it when planning. */
  start: Manifest;
  /** The manifest as stored right now (another run may have written since). */
  latest: Manifest;
  /** What this run archived. */
  written: Record<string, ManifestEntry>;
  /** Identities of every file in this run's listing. */
  listed: ReadonlySet<string>;
  /** When this run read `start`: entries archived before then and no longer listed are dropped. */
  runStartedAt: number;
  /** This run's watch list (gaps.ts watchList); without it the stored one is kept. */
  watch?: WatchedFile[];
  /** Objects this run stored: added to the journal. */
  recorded?: readonly DigestObject[];
  /** Digests this run wrote (or found written): their records leave the journal, and the newest is the head. */
  digested?: { records: ReadonlySet<string>; head?: DigestHead };
}

/**
 * Merges this run's copies into the stored manifest.
 * - Another run's entries are kept.
 * - Where another run wrote a different version of an entry this run also wrote, the entry is dropped.
 *   Which object landed last is unknown, and the next run copies the file again to the same key.
 * - Entries whose file RDS no longer lists are dropped, unless a concurrent run wrote them after this run started.
 */
export function mergeManifest({ start, latest, written, listed, runStartedAt, watch, recorded = [], digested }: MergeInput): Manifest {
  const entries: Record<string, ManifestEntry> = { ...latest.entries };
  for (const [id, mine] of Object.entries(written)) {
    const theirs = latest.entries[id];
    const changedByOthers = theirs !== undefined && !sameEntry(theirs, start.entries[id]);
    if (changedByOthers && theirs.sha256 !== mine.sha256) delete entries[id];
    else entries[id] = mine;
  }
  for (const [id, e] of Object.entries(entries)) {
    if (!listed.has(id) && e.archivedAt < runStartedAt) delete entries[id];
  }
  const newestWatch = watch ?? latest.watch;
  // The journal: what the stored state holds, plus this run's objects, less what any digest written so far lists.
  const journal = new Map<string, DigestObject>();
  for (const o of [...(latest.stored ?? []), ...recorded]) journal.set(recordId(o), o);
  for (const id of digested?.records ?? []) journal.delete(id);
  const heads = [latest.digestHead, digested?.head].filter((h): h is DigestHead => h !== undefined);
  const digestHead = heads.sort((a, b) => b.hour - a.hour)[0];
  return {
    version: 1, entries, ...(newestWatch ? { watch: newestWatch } : {}),
    ...(journal.size > 0 || latest.stored ? { stored: [...journal.values()] } : {}),
    ...(digestHead ? { digestHead } : {}),
  };
}

function sameEntry(a: ManifestEntry | undefined, b: ManifestEntry | undefined): boolean {
  if (!a || !b) return a === b;
  return a.key === b.key && a.sha256 === b.sha256 && a.lastWritten === b.lastWritten && a.size === b.size;
}
