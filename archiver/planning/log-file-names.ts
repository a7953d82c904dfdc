/**
 * Rotation knowledge: what an RDS log file name says about the content behind it.
 * Pure functions over one instance's listing; see docs/architecture.md for the table of kinds.
 */

export interface ListedFile {
  name: string;
  size: number;
  /** LastWritten as listed by RDS, POSIX ms. */
  lastWritten: number;
}

export type FileKind =
  /** A unique, dated name: PostgreSQL hourly files, Aurora MySQL audit files, new-style MySQL rotations. */
  | "dated"
  /** An old-style MySQL/MariaDB hourly file `<log>.<H>`: the same name comes back every day. */
  | "hourly-slot"
  /** A rotated member of a rename chain (`server_audit.log.3`, `ERROR.2`): immutable, but renamed on each rotation. */
  | "chain-member"
  /** A file RDS is writing whose content will move to another name when it rotates. */
  | "active"
  /** `mysql-error.log`: RDS appends it to `mysql-error-running.log` every 5 minutes. */
  | "staging"
  /** Anything else: a name of its own, archived once it has been quiet for a while. */
  | "single";

export interface DatedName {
  /** The name without a trailing `.gz`: the same content before and after RDS compresses it. */
  logicalName: string;
  compressed: boolean;
  /** The start of the period the name carries, POSIX ms (UTC). */
  periodStart: number;
  /** When nothing more can be written to it by time alone: the end of the stamp's hour (or day). */
  periodEnd: number;
  /** Files of one writer: the name with the stamp and sequence number taken out. */
  writer: string;
  /** Writers that rotate together (Aurora's 4 audit writers; PostgreSQL's .log and .csv twins). */
  rotationGroup: string;
  /** Sequence number after the stamp (Aurora rolls over by size within one stamp). */
  sequence: number;
}

export interface DatedFile {
  file: ListedFile;
  kind: "dated";
  dated: DatedName;
}

export interface HourlySlotFile {
  file: ListedFile;
  kind: "hourly-slot";
  /** The UTC hour in the name. */
  slotHour: number;
}

export interface ChainMemberFile {
  file: ListedFile;
  kind: "chain-member";
  /** The family (name without `.N`) and N. */
  chain: { family: string; index: number };
}

/** The kinds whose name says nothing more. */
export interface OtherFile {
  file: ListedFile;
  kind: "active" | "staging" | "single";
}

export type ClassifiedFile = DatedFile | HourlySlotFile | ChainMemberFile | OtherFile;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Old-style MySQL/MariaDB logs that rotate hourly into `<name>.<hour>`. */
const HOURLY_SLOT_LOGS = ["mysql-slowquery.log", "mysql-general.log", "mysql-error-running.log"];
/** Files whose content moves to a rotated name: never archived under their own name. */
const KNOWN_ACTIVE = [...HOURLY_SLOT_LOGS, "server_audit.log", "ERROR", "SQLAGENT.OUT"];
/** Rename chains RDS is known to keep, by the family's base name. */
const KNOWN_CHAINS = ["server_audit.log", "ERROR", "SQLAGENT"];

/** The part after the last `/`. */
export function baseName(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}

// YYYY-MM-DD, optionally followed by an hour and minutes: -HH, .HH, -HHMM, -HH-MM.
const STAMP = /(\d{4})-(\d{2})-(\d{2})(?:[-._T](\d{2})(?:-?(\d{2}))?)?/;

/** Reads the date stamp a dated log name carries, or undefined when it has none. */
export function parseDatedName(name: string): DatedName | undefined {
  const compressed = name.endsWith(".gz");
  const logicalName = compressed ? name.slice(0, -3) : name;
  const m = STAMP.exec(logicalName);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const hour = m[4] === undefined ? undefined : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || (hour ?? 0) > 23 || minute > 59) return undefined;
  const periodStart = Date.UTC(year, month - 1, day, hour ?? 0, minute);
  if (new Date(periodStart).getUTCDate() !== day) return undefined; // 2024-02-30
  const hourStart = periodStart - (periodStart % HOUR_MS);
  const prefix = logicalName.slice(0, m.index);
  let rest = logicalName.slice(m.index + m[0].length);
  const seq = /^\.(\d+)/.exec(rest);
  const sequence = seq ? Number(seq[1]) : 0;
  if (seq) rest = rest.slice(seq[0].length);
  return {
    logicalName,
    compressed,
    periodStart,
    periodEnd: hour === undefined ? periodStart + DAY_MS : hourStart + HOUR_MS,
    writer: `${prefix}{stamp}${rest}`,
    rotationGroup: prefix.replace(/(\d+\.)+$/, ""),
    sequence,
  };
}

/**
 * Classifies every file of one instance's listing. Needs the whole listing: whether `foo.log` is an
 * active file depends on whether rotated `foo.log.N` siblings exist.
 */
export function classifyListing(listing: readonly ListedFile[]): ClassifiedFile[] {
  const names = new Set(listing.map((f) => f.name));
  // `foo.log` is active when a rotated `foo.log.<digit>...` sibling exists.
  const rotatedFrom = new Set<string>();
  for (const name of names) {
    for (let cut = name.indexOf("."); cut > 0; cut = name.indexOf(".", cut + 1)) {
      if (/\d/.test(name.charAt(cut + 1))) rotatedFrom.add(name.slice(0, cut));
    }
  }
  return listing.map((file) => classifyOne(file, names, rotatedFrom));
}

function classifyOne(file: ListedFile, names: Set<string>, rotatedFrom: Set<string>): ClassifiedFile {
  const base = baseName(file.name);
  if (base === "mysql-error.log") return { file, kind: "staging" };
  if (KNOWN_ACTIVE.includes(base) || rotatedFrom.has(file.name)) return { file, kind: "active" };
  const dated = parseDatedName(file.name);
  if (dated) return { file, kind: "dated", dated };
  const numbered = /^(.*)\.(\d{1,4})$/.exec(file.name);
  if (numbered) {
    const [family, index] = [numbered[1], Number(numbered[2])];
    const familyBase = baseName(family);
    if (HOURLY_SLOT_LOGS.includes(familyBase) && index <= 23) return { file, kind: "hourly-slot", slotHour: index };
    // A known family is a chain without its active file listed; any other family only beside a file of its own name.
    if (KNOWN_CHAINS.includes(familyBase) || names.has(family)) {
      return { file, kind: "chain-member", chain: { family, index } };
    }
  }
  return { file, kind: "single" };
}

/**
 * Whether `f` is the active file that rotates into the members of `family`: the family's own name (`ERROR`,
 * `server_audit.log`), or the family with `.OUT` (SQL Server's agent log `SQLAGENT.OUT` rotates to `SQLAGENT.1`).
 */
export function isChainActiveFile(f: ClassifiedFile, family: string): boolean {
  return f.kind === "active" && (f.file.name === family || f.file.name === `${family}.OUT`);
}

/** The start of the hourly slot `<log>.<H>` last written at `lastWritten`: the latest H:00 not after it. */
export function slotPeriodStart(slotHour: number, lastWritten: number): number {
  const d = new Date(lastWritten);
  const sameDay = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), slotHour);
  return sameDay <= lastWritten ? sameDay : sameDay - DAY_MS;
}

/**
 * Rank of each non-empty chain member among the non-empty members of its family that share its LastWritten,
 * newest first.
 * Rotations that happen within one millisecond give several members the same LastWritten. The oldest
 * of them leave the chain first, so counting from the newest keeps each member's rank stable across runs.
 */
export function chainRanks(files: readonly ClassifiedFile[]): Map<ClassifiedFile, number> {
  const groups = new Map<string, ChainMemberFile[]>();
  for (const f of files) {
    if (f.kind !== "chain-member" || f.file.size === 0) continue;
    const k = `${f.chain.family}\u0000${f.file.lastWritten}`;
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  const ranks = new Map<ClassifiedFile, number>();
  for (const group of groups.values()) {
    group.sort((a, b) => a.chain.index - b.chain.index);
    group.forEach((f, i) => ranks.set(f, i));
  }
  return ranks;
}

export interface ClosedRule {
  /** The present: the later of the clock and the newest LastWritten listed (the server's own evidence of time). */
  now: number;
  /** How long a file must have been quiet, and past its period's end, before it counts as closed by time. */
  graceMs: number;
  /** How long a single (unknown-kind) file must have been quiet before it is archived. */
  quietMs: number;
}

/** Whether RDS is done writing the file, judged from the listing and the clock. */
export function isClosed(f: ClassifiedFile, all: readonly ClassifiedFile[], rule: ClosedRule): boolean {
  switch (f.kind) {
    case "hourly-slot":
      return true;
    case "chain-member":
      return chainMemberSettled(f, all, rule.now);
    case "active":
    case "staging":
      return false;
    case "single":
      return rule.now - f.file.lastWritten >= rule.quietMs;
    case "dated": {
      const d = f.dated;
      const supersededBy = (o: ClassifiedFile) =>
        o.kind === "dated" &&
        o.dated.logicalName !== d.logicalName &&
        ((o.dated.writer === d.writer &&
          (o.dated.periodStart > d.periodStart || (o.dated.periodStart === d.periodStart && o.dated.sequence > d.sequence))) ||
          (o.dated.rotationGroup === d.rotationGroup && o.dated.periodStart >= d.periodEnd));
      if (all.some(supersededBy)) return true;
      return rule.now >= d.periodEnd + rule.graceMs && rule.now - f.file.lastWritten >= rule.graceMs;
    }
  }
}

/**
 * A rotated chain member is archivable unless its family's active file is non-empty and not newer than it.
 * Such an active file could rotate without another write and add a non-empty member with the same
 * LastWritten at the newest end, shifting the ranks that tell tied members apart. Empty files never
 * count: they are not archived, take no rank, and an empty active file that rotates adds only an empty member.
 */
function chainMemberSettled(f: ChainMemberFile, all: readonly ClassifiedFile[], now: number): boolean {
  const { family } = f.chain;
  // An empty active file written after the listing, in the same millisecond, could still tie.
  if (now <= f.file.lastWritten) return false;
  return !all.some(
    (o) => isChainActiveFile(o, family) && o.file.size > 0 && o.file.lastWritten <= f.file.lastWritten,
  );
}
