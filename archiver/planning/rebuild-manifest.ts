/**
 * Rebuilding a lost or unreadable state object from the archive itself. The planner knows the key of every
 * archivable file listed (archive-targets.ts); the shell reads which of those keys the archive holds, with their
 * provenance metadata, and the entries below are what the state would have said. The planner then decides as
 * usual: a file whose archived version matches the listing is skipped, any other is copied.
 * Pure: no I/O.
 */
import { archiveKeyFolder } from "../layout/archive-key";
import type { Provenance } from "../s3/metadata";
import { archiveTargets } from "./archive-targets";
import { classifyListing, parseDatedName, type ClassifiedFile, type ListedFile } from "./log-file-names";
import type { Manifest, ManifestEntry } from "./manifest";

/** A listed file's identity and key, and the folder to list to find it. */
export interface RebuildTarget {
  file: ClassifiedFile;
  identity: string;
  key: string;
  /** The instance-hour folder the key is in (archiveHourPrefix): listing it finds the key. */
  prefix: string;
}

/** Every listed file that has an archive key. */
export function rebuildTargets(group: string, instance: string, listing: readonly ListedFile[]): RebuildTarget[] {
  const out: RebuildTarget[] = [];
  for (const [file, t] of archiveTargets(group, instance, classifyListing(listing))) {
    if ("error" in t) continue;
    out.push({ file, identity: t.identity, key: t.key, prefix: archiveKeyFolder(t.key) });
  }
  return out;
}

/** What the archive holds under a key, as the reader returns it. */
export interface ArchivedVersion {
  key: string;
  /** When S3 stored it, POSIX ms. */
  lastModified: number;
  /** Undefined when the object has no readable provenance metadata: it then cannot stand for any file. */
  provenance?: Provenance;
}

/**
 * Whether an archived object holds this listed file's content, in some version: the state entry it stands for, or
 * undefined. It must sit under the file's key, come from the same instance, and name the same content: the same
 * RDS name (a dated file compressed since: the same name without `.gz`), or for a chain member, whose name shifts
 * at every rotation, a member of the same family with the same LastWritten (the key carries its rank among ties).
 * The entry records the object's provenance, not the listing: the planner compares the two, as with any state.
 */
export function archivedEntry(instance: string, target: RebuildTarget, object: ArchivedVersion | undefined): ManifestEntry | undefined {
  const p = object?.provenance;
  if (!object || !p || object.key !== target.key || p.instance !== instance) return undefined;
  const f = target.file;
  const sameContent =
    f.kind === "chain-member"
      ? p.lastWritten === f.file.lastWritten && isMemberOf(p.file, f.chain.family)
      : p.file === f.file.name || (f.kind === "dated" && parseDatedName(p.file)?.logicalName === f.dated.logicalName);
  if (!sameContent) return undefined;
  return { key: object.key, file: p.file, size: p.size, lastWritten: p.lastWritten, bytes: p.bytes, sha256: p.sha256, archivedAt: object.lastModified };
}

/** `family.N`: a member of the chain, under any rank. */
function isMemberOf(name: string, family: string): boolean {
  return name.startsWith(`${family}.`) && /^\d{1,4}$/.test(name.slice(family.length + 1));
}

/** The state object the archive implies for a listing, given what the archive holds under the listed keys. */
export function rebuildManifest(instance: string, targets: readonly RebuildTarget[], archived: ReadonlyMap<string, ArchivedVersion>): Manifest {
  const entries: Record<string, ManifestEntry> = {};
  for (const t of targets) {
    const entry = archivedEntry(instance, t, archived.get(t.key));
    if (entry) entries[t.identity] = entry;
  }
  return { version: 1, entries };
}
