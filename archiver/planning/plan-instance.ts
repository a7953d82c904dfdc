/**
 * The sync planner: one instance's listing, what the archive holds, and the time in; actions out.
 * Pure: no I/O, no SDK, no clock of its own.
 */
import { archiveTargets, tieRankOf, type ArchiveTarget, type KeyResult } from "./archive-targets";
import { baseName, classifyListing, isChainActiveFile, isClosed, type ChainMemberFile, type ClassifiedFile, type FileKind, type ListedFile } from "./log-file-names";
import type { Manifest, ManifestEntry } from "./manifest";

export interface PlanInput {
  instance: string;
  /** Cluster id for Aurora members, else the instance id. */
  group: string;
  listing: readonly ListedFile[];
  manifest: Manifest;
  now: number;
  /** Name prefixes to archive; empty means all. */
  include: readonly string[];
  /** 0: archive files once closed. >0: also refresh active dated files at most this often. */
  activeRefreshMs: number;
  graceMs?: number;
  quietMs?: number;
}

export interface CopyAction {
  action: "copy";
  file: ListedFile;
  kind: FileKind;
  identity: string;
  key: string;
  reason: "new" | "changed" | "refresh";
  /** false for a refresh of a still-active file. */
  final: boolean;
  /**
   * How a finished download is checked before its upload completes.
   * `relist`: the file must still be listed with the same LastWritten and Size (immutable kinds whose
   * names RDS reuses or shifts). `grown`: the body must be at least the listed size (files that only grow).
   */
  verify: "relist" | "grown";
  /**
   * With `relist`: the files that must still be listed exactly so (name, LastWritten, Size) after the download,
   * and a substring of their names to list them by. For a chain member that is its whole family: a rotation
   * always replaces the active file, so even members tied on LastWritten and Size cannot trade places unseen.
   */
  unchanged?: { contains: string; files: ListedFile[] };
  /** The key of an older version this copy replaces; deleted once the copy is safely stored. */
  replaces?: string;
}

/**
 * Why a file is not copied, in three kinds a person tells apart: its content is archived already (or there
 * is none to keep), it is still being written and waits for its rotation, or --include leaves it out.
 */
export type SkipKind = "archived" | "waiting" | "excluded";

export interface SkipAction {
  action: "skip";
  file: ListedFile;
  kind: FileKind;
  skip: SkipKind;
  reason: string;
  key?: string;
}

export interface RejectAction {
  action: "reject";
  file: ListedFile;
  reason: string;
}

export type PlannedAction = CopyAction | SkipAction | RejectAction;

export interface InstancePlan {
  actions: PlannedAction[];
  /** Identities of every archivable file listed: manifest entries outside it are pruned on the next write. */
  listedIdentities: Set<string>;
}

export const DEFAULT_GRACE_MS = 5 * 60_000;
export const DEFAULT_QUIET_MS = 60 * 60_000;

/**
 * The present as the planner judges it: the later of the clock and the newest LastWritten listed. The
 * server's clock may run ahead of ours (or be virtual): what it has written bounds the present from below.
 */
export function presentTime(clock: number, listing: readonly ListedFile[]): number {
  let now = clock;
  for (const f of listing) if (f.lastWritten > now) now = f.lastWritten;
  return now;
}

export function planInstance(input: PlanInput): InstancePlan {
  const rule = { now: presentTime(input.now, input.listing), graceMs: input.graceMs ?? DEFAULT_GRACE_MS, quietMs: input.quietMs ?? DEFAULT_QUIET_MS };
  const files = classifyListing(input.listing);
  const targets = archiveTargets(input.group, input.instance, files);
  const listedIdentities = new Set<string>();
  for (const t of targets.values()) if ("identity" in t) listedIdentities.add(t.identity);

  const twins = uncompressedTwins(files);
  const shifted = shiftedTieGroups(files, targets, input.manifest);
  for (const g of shifted.values()) for (const id of g.identities) listedIdentities.add(id);
  const actions = files.map((f): PlannedAction => {
    if (input.include.length > 0 && !input.include.some((p) => f.file.name.startsWith(p))) {
      return skip(f, "excluded", "excluded by --include");
    }
    if (f.kind === "staging") return skip(f, "waiting", "staging buffer: RDS appends it to mysql-error-running.log");
    if (f.kind === "active") return skip(f, "waiting", "active: archived under the name it rotates to");
    const target = targets.get(f);
    if (!target) return skip(f, "archived", "empty");
    if ("error" in target) return { action: "reject", file: f.file, reason: `cannot map to a safe key: ${target.error}` };
    if (twins.has(f)) return skip(f, "archived", "compressed twin of a listed file", target.key);
    const shift = f.kind === "chain-member" ? shifted.get(tieGroupOf(f)) : undefined;
    if (shift) return { action: "reject", file: f.file, reason: shift.reason };
    return decide(f, files, target, input.manifest.entries[target.identity], isClosed(f, files, rule), input);
  });
  return { actions: rejectKeyCollisions(actions), listedIdentities };
}

function tieGroupOf(f: ChainMemberFile): string {
  return `${f.chain.family}\u0000${f.file.lastWritten}`;
}

interface ShiftedGroup {
  reason: string;
  /** The group's manifest entries: kept while the group is listed, as the memory of what the old ranks held. */
  identities: string[];
}

/**
 * Tie groups (chain members of one family with one LastWritten) whose ranks no longer mean what they meant when
 * members were archived. Ranks count the newer members of a tie, so RDS deleting a newer member (retention by age,
 * in no particular order within a tie) moves every older member up a rank: copying it under its new rank would
 * archive it twice, or over another content. Chain members never change, so the manifest shows such a shift:
 * - the entry of a member's rank records another size: another content held that rank;
 * - a member's rank has no entry, and an entry beyond the ranks listed now records the member's size.
 * Members of equal size and LastWritten cannot be told apart this way; see docs/architecture.md.
 */
function shiftedTieGroups(files: readonly ClassifiedFile[], targets: ReadonlyMap<ClassifiedFile, KeyResult>, manifest: Manifest): Map<string, ShiftedGroup> {
  const groups = new Map<string, { family: string; lastWritten: number; members: { f: ChainMemberFile; rank: number; key: string }[] }>();
  for (const f of files) {
    const target = targets.get(f);
    if (f.kind !== "chain-member" || !target || "error" in target) continue;
    const rank = tieRankOf(target.identity, f.chain.family, f.file.lastWritten)!;
    const g = groups.get(tieGroupOf(f)) ?? { family: f.chain.family, lastWritten: f.file.lastWritten, members: [] };
    g.members.push({ f, rank, key: target.key });
    groups.set(tieGroupOf(f), g);
  }
  const shifted = new Map<string, ShiftedGroup>();
  for (const [group, { family, lastWritten, members }] of groups) {
    const archived = new Map<number, { id: string; entry: ManifestEntry }>();
    for (const [id, entry] of Object.entries(manifest.entries)) {
      const rank = tieRankOf(id, family, lastWritten);
      if (rank !== undefined) archived.set(rank, { id, entry });
    }
    if (archived.size === 0) continue;
    const evidence = members.map(({ f, rank, key }) => {
      const own = archived.get(rank)?.entry;
      if (own) return own.size === f.file.size ? undefined : { f, key, entry: own };
      const beyond = [...archived].find(([r, a]) => r >= members.length && a.entry.size === f.file.size);
      return beyond ? { f, key, entry: beyond[1].entry } : undefined;
    }).find((e) => e !== undefined);
    if (!evidence) continue;
    const { f, key, entry } = evidence;
    shifted.set(group, {
      reason:
        `not copied: members of ${family} last written at ${new Date(lastWritten).toISOString()} changed ranks (a newer one was deleted). ` +
        `${f.file.name} (${f.file.size} bytes) now maps to ${key}, but ${entry.key} holds ${entry.file} as archived (${entry.size} bytes); ` +
        `copying under the new ranks would archive lines twice or over others`,
      identities: [...archived.values()].map((a) => a.id),
    });
  }
  return shifted;
}

function mustStayListed(f: ClassifiedFile, all: readonly ClassifiedFile[]): { contains: string; files: ListedFile[] } {
  if (f.kind !== "chain-member") return { contains: f.file.name, files: [f.file] };
  const { family } = f.chain;
  const inFamily = (o: ClassifiedFile) =>
    (o.kind === "chain-member" && o.chain.family === family) || isChainActiveFile(o, family);
  return { contains: baseName(family), files: all.filter(inFamily).map((o) => o.file) };
}

function decide(
  f: ClassifiedFile,
  all: readonly ClassifiedFile[],
  target: ArchiveTarget,
  entry: ManifestEntry | undefined,
  closed: boolean,
  input: PlanInput,
): PlannedAction {
  const { file } = f;
  const verify = f.kind === "hourly-slot" || f.kind === "chain-member" ? "relist" : "grown";
  const copy = (reason: CopyAction["reason"], final: boolean): CopyAction => ({
    action: "copy", file, kind: f.kind, identity: target.identity, key: target.key, reason, final, verify,
    ...(verify === "relist" ? { unchanged: mustStayListed(f, all) } : {}),
    ...(entry && entry.key !== target.key ? { replaces: entry.key } : {}),
  });
  const unchanged = entry !== undefined && entry.lastWritten === file.lastWritten && entry.size === file.size;
  // Nothing to keep, and an empty file must never replace archived content.
  if (file.size === 0) return skip(f, "archived", "empty", target.key);

  if (!closed) {
    const refreshable = input.activeRefreshMs > 0 && f.kind === "dated" && !f.dated.compressed;
    if (!refreshable) {
      const reason = f.kind === "chain-member" ? "rotated: archived once a newer file of its chain is written" : "active: archived once closed";
      return skip(f, "waiting", reason, target.key);
    }
    if (unchanged) return skip(f, "waiting", "active: unchanged since its last refresh", target.key);
    if (entry && input.now - entry.archivedAt < input.activeRefreshMs) return skip(f, "waiting", "active: refreshed recently", target.key);
    return copy("refresh", false);
  }
  if (entry && !entry.partial) {
    if (unchanged) return skip(f, "archived", "already archived", target.key);
    // A dated file RDS compressed after it was archived: same content, new size. A later LastWritten
    // means it grew before it was compressed, so it is copied again.
    const compressedCopy = f.kind === "dated" && f.dated.compressed && entry.file !== file.name;
    if (compressedCopy && file.lastWritten <= entry.lastWritten) return skip(f, "archived", "already archived (before RDS compressed it)", target.key);
  }
  return copy(entry ? "changed" : "new", true);
}

function skip(f: ClassifiedFile, as: SkipKind, reason: string, key?: string): SkipAction {
  return { action: "skip", file: f.file, kind: f.kind, skip: as, reason, ...(key ? { key } : {}) };
}

/** `.gz` files whose uncompressed original is listed too: the original is the one to copy. */
function uncompressedTwins(files: readonly ClassifiedFile[]): Set<ClassifiedFile> {
  const plain = new Set(files.filter((f) => f.kind === "dated" && !f.dated.compressed).map((f) => f.file.name));
  return new Set(files.filter((f) => f.kind === "dated" && f.dated.compressed && plain.has(f.dated.logicalName)));
}

/** Two different files must never be written to one key; if the layout ever maps them so, neither is copied. */
function rejectKeyCollisions(actions: PlannedAction[]): PlannedAction[] {
  const byKey = new Map<string, number>();
  for (const a of actions) if (a.action === "copy") byKey.set(a.key, (byKey.get(a.key) ?? 0) + 1);
  return actions.map((a) =>
    a.action === "copy" && byKey.get(a.key)! > 1
      ? { action: "reject", file: a.file, reason: `key ${a.key} would hold more than one file` }
      : a,
  );
}
