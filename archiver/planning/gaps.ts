/**
 * The gap ledger's decision: which files a run listed, unarchived, that are gone by the next run. The state
 * object carries the watch list (what this run listed and has not archived); the next run compares it with its
 * own listing and the state. Pure: no I/O.
 *
 * A file is watched under its content identity (archive-targets.ts), so a chain member renamed by a rotation,
 * or a dated file RDS compressed, is still the same file. Empty files hold nothing and are never watched.
 * An active file renamed later (`server_audit.log`, `log/ERROR`) has no identity of its own; its content becomes
 * the chain's next member. It is watched with the members of its chain listed beside it (see findGaps). The active
 * file of an hourly-slot log (`mysql-slowquery.log`) is watched under the identity of the slot its hour rotates to.
 * The staging buffer (`mysql-error.log`) is not watched: RDS appends it to the running log every 5 minutes.
 */
import { archiveTargets } from "./archive-targets";
import { classifyListing, isChainActiveFile, type ClassifiedFile, type ListedFile } from "./log-file-names";
import type { Manifest } from "./manifest";

export interface WatchedFile {
  /** The RDS name when last listed. */
  file: string;
  size: number;
  lastWritten: number;
  /** The content identity, for every archivable kind. */
  identity?: string;
  /** For a chain's active file: its family, and the identities of the family's members listed beside it. */
  chain?: { family: string; members: string[] };
  /** An hourly-slot log's active file, watched under its slot's identity: still there while listed in the same hour. */
  slotActive?: true;
}

/** A file that left RDS before it was archived: one ledger entry. */
export interface Gap {
  instance: string;
  group: string;
  /** The RDS name, size and LastWritten when it was last listed. */
  file: string;
  size: number;
  lastWritten: number;
  /** When a run noticed it was gone, POSIX ms. */
  noticedAt: number;
  /** Why the run counts it lost, in words. */
  reason: string;
}

function isArchived(manifest: Manifest, identity: string, lastWritten: number): boolean {
  const e = manifest.entries[identity];
  return e !== undefined && !e.partial && e.lastWritten >= lastWritten;
}

/**
 * What to watch after a run: every non-empty file with an identity whose listed version the state does not hold
 * archived, and each chain's non-empty active file with the members listed beside it.
 */
export function watchList(group: string, instance: string, listing: readonly ListedFile[], manifest: Manifest): WatchedFile[] {
  const files = classifyListing(listing);
  const targets = archiveTargets(group, instance, files);
  const watched: WatchedFile[] = [];
  for (const f of files) {
    const { name, size, lastWritten } = f.file;
    if (size === 0) continue;
    const t = targets.get(f);
    if (t && "identity" in t) {
      if (!isArchived(manifest, t.identity, lastWritten)) watched.push({ file: name, size, lastWritten, identity: t.identity });
      continue;
    }
    const slot = f.kind === "active" ? slotIdentityOf(group, instance, f.file) : undefined;
    if (slot !== undefined) {
      if (!isArchived(manifest, slot, lastWritten)) watched.push({ file: name, size, lastWritten, identity: slot, slotActive: true });
      continue;
    }
    const family = chainFamilyOf(f, files);
    if (family === undefined) continue;
    const members = files
      .filter((m) => m.kind === "chain-member" && m.chain.family === family)
      .map((m) => targets.get(m))
      .flatMap((mt) => (mt && "identity" in mt ? [mt.identity] : []));
    watched.push({ file: name, size, lastWritten, chain: { family, members } });
  }
  return watched;
}

const HOUR_MS = 3_600_000;

/** The identity an hourly-slot log's active file takes when its hour rotates it to `<name>.<hour>`, if it is one. */
function slotIdentityOf(group: string, instance: string, active: ListedFile): string | undefined {
  const slot = { ...active, name: `${active.name}.${new Date(active.lastWritten).getUTCHours()}` };
  const [classified] = classifyListing([slot]);
  if (classified.kind !== "hourly-slot") return undefined;
  const t = archiveTargets(group, instance, [classified]).get(classified);
  return t && "identity" in t ? t.identity : undefined;
}

/** The family whose members an active file rotates into, when members of it are listed. */
function chainFamilyOf(f: ClassifiedFile, all: readonly ClassifiedFile[]): string | undefined {
  if (f.kind !== "active") return undefined;
  const m = all.find((o) => o.kind === "chain-member" && isChainActiveFile(f, o.chain.family));
  return m?.kind === "chain-member" ? m.chain.family : undefined;
}

/**
 * The watched files of the last run that are gone now, unarchived.
 * - A file with an identity: not listed under that identity any more, and the state holds no complete copy of
 *   the version last seen.
 * - A chain's active file: its content is the oldest member rotated after it was listed. Members are dropped
 *   oldest first, so while any member listed beside it is still listed, that member's successors are too.
 *   When every member listed beside it is gone, so many rotations happened that its content left the chain
 *   (one exact count of rotations, the chain's length, would still hold it in the oldest member; the listing
 *   cannot tell the two apart, and the ledger counts the loss).
 */
export function findGaps(
  target: { group: string; instance: string },
  watched: readonly WatchedFile[],
  listing: readonly ListedFile[],
  manifest: Manifest,
  noticedAt: number,
): Gap[] {
  const listed = new Set<string>();
  for (const t of archiveTargets(target.group, target.instance, classifyListing(listing)).values()) if ("identity" in t) listed.add(t.identity);
  const gaps: Gap[] = [];
  const gap = (w: WatchedFile, reason: string) =>
    gaps.push({ ...target, file: w.file, size: w.size, lastWritten: w.lastWritten, noticedAt, reason });
  const hour = (t: number) => t - (t % HOUR_MS);
  // An active file still listed as it was has not rotated: its content is where it was, whatever left beside it.
  const unchanged = (w: WatchedFile) => listing.some((f) => f.name === w.file && f.size === w.size && f.lastWritten === w.lastWritten);
  const activeStill = (w: WatchedFile) => listing.some((f) => f.name === w.file && hour(f.lastWritten) === hour(w.lastWritten));
  for (const w of watched) {
    if (w.slotActive && activeStill(w)) continue;
    if (w.identity !== undefined) {
      if (!listed.has(w.identity) && !isArchived(manifest, w.identity, w.lastWritten)) gap(w, "no longer listed, and never archived as last listed");
    } else if (w.chain && w.chain.members.length > 0 && !w.chain.members.some((m) => listed.has(m)) && !unchanged(w)) {
      gap(w, `every member of ${w.chain.family} listed beside it was rotated away: its content left the chain unarchived`);
    }
  }
  return gaps;
}

/** Whether two watch lists say the same: the state is saved again only when they differ. */
export function sameWatch(a: readonly WatchedFile[] | undefined, b: readonly WatchedFile[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}
