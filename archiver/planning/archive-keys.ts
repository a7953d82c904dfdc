/**
 * S3 key layout: `<group>/<logtype>/<YYYY>/<MM>/<DD>/<HH>/<instance>/<file>.gz` (UTC).
 * Every key is a pure function of the identity of the content it holds (see docs/architecture.md).
 */
import { STATE_PREFIX } from "../layout/prefixes";
import { hourPath } from "./hour-path";
import { chainRanks, slotPeriodStart, type ClassifiedFile } from "./log-file-names";

/** Where the per-instance state objects live (archiver/layout); no log key can start with it: encodeSegment escapes a leading `_`. */
export { STATE_PREFIX };
/** The logtype segment for a name with no directory part. */
export const ROOT_LOGTYPE = "_root";
const MAX_KEY_BYTES = 1024;

/**
 * Encodes one key segment so that any string maps to a distinct, safe, non-empty segment. Letters, digits,
 * `.`, `_` and `-` stay readable. Everything else is percent-encoded as UTF-8: `/`, spaces, `%`, unicode,
 * and control characters. So are a leading `_` (reserved for the archiver's own segments), and a segment
 * that would read as `.` or `..`. The empty string becomes `_`, and a lone UTF-16 surrogate becomes
 * `%uXXXX`: neither form can come out of the rules above.
 */
export function encodeSegment(raw: string): string {
  if (raw === "") return "_";
  let out = "";
  for (const ch of raw) {
    const code = ch.charCodeAt(0);
    if (/^[A-Za-z0-9._-]$/.test(ch)) out += ch;
    else if (ch.length === 1 && code >= 0xd800 && code <= 0xdfff) out += `%u${code.toString(16).toUpperCase()}`;
    else for (const byte of Buffer.from(ch, "utf8")) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  if (out.startsWith("_")) out = `%5F${out.slice(1)}`;
  if (out === "." || out === "..") out = out.replace(/\./g, "%2E");
  return out;
}

/** Inverse of encodeSegment. */
export function decodeSegment(segment: string): string {
  if (segment === "_") return "";
  return segment
    .split(/(%u[0-9A-F]{4})/)
    .map((part) => (part.startsWith("%u") ? String.fromCharCode(parseInt(part.slice(2), 16)) : decodeURIComponent(part)))
    .join("");
}

/** Splits `error/postgresql.log.x` into its logtype (`error`) and the rest; a name with no folder has no logtype. */
export function splitLogName(name: string): { logType: string | null; rest: string } {
  const slash = name.indexOf("/");
  if (slash <= 0) return { logType: null, rest: name };
  return { logType: name.slice(0, slash), rest: name.slice(slash + 1) };
}

/** `20241001T123456789Z`: a LastWritten in a form that sorts and reads well inside a file name. */
export function compactStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, "");
}

export interface ArchiveTarget {
  /** Stable across renames and runs: the manifest is keyed by it. */
  identity: string;
  key: string;
  /** The hour the key files the content under, POSIX ms. */
  period: number;
}

export type KeyResult = ArchiveTarget | { error: string };

/**
 * The identity and key of every archivable file in a classified listing.
 * Active and staging files get none: their content is archived under the name it rotates to. Nor do empty
 * chain members, which hold nothing to archive.
 */
export function archiveTargets(
  group: string,
  instance: string,
  files: readonly ClassifiedFile[],
): Map<ClassifiedFile, KeyResult> {
  const ranks = chainRanks(files);
  const out = new Map<ClassifiedFile, KeyResult>();
  for (const f of files) {
    const t = targetOf(f, ranks.get(f) ?? 0);
    if (!t) continue;
    if ("error" in t) {
      out.set(f, t);
      continue;
    }
    const key = buildKey(group, instance, t.logName, t.period);
    out.set(f, validateKey(key) ?? { identity: t.identity, key, period: t.period });
  }
  return out;
}

type Target = { identity: string; logName: string; period: number } | { error: string };

function targetOf(f: ClassifiedFile, rank: number): Target | undefined {
  const { name, lastWritten } = f.file;
  if (!name || splitLogName(name).rest === "") return { error: "empty file name part" };
  switch (f.kind) {
    case "active":
    case "staging":
      return undefined;
    case "dated":
      return { identity: `dated:${f.dated.logicalName}`, logName: f.dated.logicalName, period: f.dated.periodStart };
    case "hourly-slot": {
      const period = slotPeriodStart(f.slotHour, lastWritten);
      return { identity: `slot:${name}@${period}`, logName: name, period };
    }
    case "chain-member": {
      // An empty member takes no rank (see chainRanks) and is never archived: it gets no target at all.
      if (f.file.size === 0) return undefined;
      const { family } = f.chain;
      const suffix = rank > 0 ? `-${rank}` : "";
      return {
        identity: chainIdentity(family, lastWritten, rank),
        logName: `${family}.${compactStamp(lastWritten)}${suffix}`,
        period: lastWritten,
      };
    }
    case "single":
      return { identity: `single:${name}`, logName: name, period: lastWritten };
  }
}

/** A chain member's identity: its family, its LastWritten and its rank among the members tied on that LastWritten. */
export function chainIdentity(family: string, lastWritten: number, rank: number): string {
  return `chain:${family}@${lastWritten}#${rank}`;
}

/** The rank `identity` gives a member of the tie group (family, lastWritten), or undefined if it names another file. */
export function tieRankOf(identity: string, family: string, lastWritten: number): number | undefined {
  const prefix = chainIdentity(family, lastWritten, 0).slice(0, -1);
  if (!identity.startsWith(prefix)) return undefined;
  const rank = identity.slice(prefix.length);
  return /^\d+$/.test(rank) ? Number(rank) : undefined;
}

export function buildKey(group: string, instance: string, logName: string, period: number): string {
  const { logType, rest } = splitLogName(logName);
  // ROOT_LOGTYPE goes in unencoded: encodeSegment never yields a leading `_`, so no folder name can collide with it.
  const logTypeSegment = logType === null ? ROOT_LOGTYPE : encodeSegment(logType);
  return `${groupPrefix(group)}${[logTypeSegment, hourPath(period), encodeSegment(instance), `${encodeSegment(rest)}.gz`].join("/")}`;
}

/** Every archive key of a group (an instance, or an Aurora cluster's members) starts with this. */
export function groupPrefix(group: string): string {
  return `${encodeSegment(group)}/`;
}

function validateKey(key: string): { error: string } | undefined {
  const bytes = Buffer.byteLength(key, "utf8");
  return bytes > MAX_KEY_BYTES ? { error: `key would be ${bytes} bytes, over S3's ${MAX_KEY_BYTES}` } : undefined;
}

/** The state object of one instance. */
export function manifestKey(group: string, instance: string): string {
  return `${STATE_PREFIX}${encodeSegment(group)}/${encodeSegment(instance)}.json`;
}

