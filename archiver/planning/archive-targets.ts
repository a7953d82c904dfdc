/**
 * The identity of each archivable file, and the log name and hour its key is built from (archiver/layout/archive-key.ts).
 * Every key is a pure function of the identity of the content it holds (see docs/architecture.md).
 */
import { archiveKey, keyLengthError, splitLogName } from "../layout/archive-key";
import { chainRanks, slotPeriodStart, type ClassifiedFile } from "./log-file-names";

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
    const key = archiveKey(group, instance, t.logName, t.period);
    const error = keyLengthError(key);
    out.set(f, error ? { error } : { identity: t.identity, key, period: t.period });
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
