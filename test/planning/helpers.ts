/**
 * Shared fixtures for the planning tests: timestamps, listing builders, arbitraries, and the engine's way of
 * recording a copy in the manifest.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { archiveTargets, type KeyResult } from "../../archiver/planning/archive-targets";
import { classifyListing, type ClassifiedFile, type FileKind, type ListedFile } from "../../archiver/planning/log-file-names";
import type { Manifest, ManifestEntry } from "../../archiver/planning/manifest";
import type { CopyAction, InstancePlan } from "../../archiver/planning/plan-instance";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** 2024-10-01T00:00:00.000Z */
export const T0 = Date.UTC(2024, 9, 1, 0, 0);

/** UTC ms from an ISO string without zone suffix, read as UTC. */
export function at(iso: string): number {
  const ms = Date.parse(iso.endsWith("Z") ? iso : `${iso}Z`);
  if (Number.isNaN(ms)) throw new Error(`bad test timestamp ${iso}`);
  return ms;
}

export function file(name: string, lastWritten: number = T0, size = 100): ListedFile {
  return { name, lastWritten, size };
}

export function classifyOneIn(listing: readonly ListedFile[], name: string): ClassifiedFile {
  const found = classifyListing(listing).find((c) => c.file.name === name);
  if (!found) throw new Error(`${name} not in listing`);
  return found;
}

/** Asserts the file's kind and narrows it, for reading the fields of that kind. */
export function ofKind<K extends FileKind>(c: ClassifiedFile, kind: K): Extract<ClassifiedFile, { kind: K }> {
  assert.equal(c.kind, kind, c.file.name);
  return c as Extract<ClassifiedFile, { kind: K }>;
}

/** archiveTargets for a listing, by file name. */
export function targetsByName(listing: readonly ListedFile[], group = "db-1", instance = "db-1"): Map<string, KeyResult> {
  const out = new Map<string, KeyResult>();
  for (const [f, t] of archiveTargets(group, instance, classifyListing(listing))) out.set(f.file.name, t);
  return out;
}

export function keyOf(listing: readonly ListedFile[], name: string, group = "db-1", instance = "db-1"): string {
  const t = targetsByName(listing, group, instance).get(name);
  if (!t) throw new Error(`${name} has no target`);
  if ("error" in t) throw new Error(`${name}: ${t.error}`);
  return t.key;
}

export function copies(plan: InstancePlan): CopyAction[] {
  return plan.actions.filter((a): a is CopyAction => a.action === "copy");
}

/** What the sync engine records for a successful copy: the listing's key/size/lastWritten. */
export function entryFor(c: CopyAction, now: number, sha256 = `sha-${c.file.name}-${c.file.size}`): ManifestEntry {
  return {
    key: c.key,
    file: c.file.name,
    size: c.file.size,
    lastWritten: c.file.lastWritten,
    bytes: c.file.size,
    sha256,
    archivedAt: now,
    ...(c.final ? {} : { partial: true }),
  };
}

export function applyCopies(manifest: Manifest, plan: InstancePlan, now: number): Manifest {
  const entries = { ...manifest.entries };
  for (const c of copies(plan)) entries[c.identity] = entryFor(c, now);
  return { version: 1, entries };
}

// ---------------------------------------------------------------------------------------------------------
// Arbitraries for realistic RDS listings (every engine), plus some hostile names.

const two = (n: number) => String(n).padStart(2, "0");
const dayArb = fc.integer({ min: 1, max: 3 });
const hourArb = fc.integer({ min: 0, max: 23 });

const pgName = fc
  .record({ day: dayArb, hour: hourArb, minutes: fc.boolean(), csv: fc.boolean(), gz: fc.boolean() })
  .map(({ day, hour, minutes, csv, gz }) =>
    `error/postgresql.log.2024-10-${two(day)}-${two(hour)}${minutes ? "30" : ""}${csv ? ".csv" : ""}${gz ? ".gz" : ""}`);
const auroraAuditName = fc
  .record({ w: fc.integer({ min: 0, max: 3 }), day: dayArb, hour: hourArb, seq: fc.integer({ min: 1, max: 3 }) })
  .map(({ w, day, hour, seq }) => `audit/audit.log.${w}.2024-10-${two(day)}-${two(hour)}-00.${seq}`);
const mysqlDatedName = fc
  .record({ log: fc.constantFrom("slowquery/mysql-slowquery.log", "general/mysql-general.log", "error/mysql-error-running.log"), day: dayArb, hour: hourArb })
  .map(({ log, day, hour }) => `${log}.2024-10-${two(day)}.${two(hour)}`);
const slotName = fc
  .record({ log: fc.constantFrom("slowquery/mysql-slowquery.log", "general/mysql-general.log", "error/mysql-error-running.log"), hour: hourArb })
  .map(({ log, hour }) => `${log}.${hour}`);
const chainName = fc.oneof(
  fc.integer({ min: 1, max: 9 }).map((n) => `audit/server_audit.log.${n}`),
  fc.integer({ min: 1, max: 6 }).map((n) => `log/ERROR.${n}`),
  fc.integer({ min: 1, max: 9 }).map((n) => `log/SQLAGENT.${n}`),
);
export const ACTIVE_NAMES = [
  "slowquery/mysql-slowquery.log",
  "general/mysql-general.log",
  "error/mysql-error-running.log",
  "audit/server_audit.log",
  "log/ERROR",
  "log/SQLAGENT.OUT",
];
const activeName = fc.constantFrom(...ACTIVE_NAMES);
const stagingName = fc.constant("error/mysql-error.log");
const singleName = fc.oneof(
  fc.constantFrom("trace/alert_ORCL.log", "error/postgres.log", "foo", "foo.1", "foo.2", "trace/foo.trc", "listener/listener.log"),
  fc.integer({ min: 1, max: 99999 }).map((n) => `trace/ORCL_ora_${n}.trc`),
);
const hostileName = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 8 }).map((s) => `${s}/${s}`),
  fc.constantFrom("error/", "", "/", "//", "../x", "a/../b", "x/ y%z", "trace/😀.log", "trace/..", "_state/x"),
  fc.integer({ min: 1030, max: 1100 }).map((n) => `trace/${"a".repeat(n)}`),
);

export const logNameArb = fc.oneof(
  { arbitrary: pgName, weight: 4 },
  { arbitrary: auroraAuditName, weight: 3 },
  { arbitrary: mysqlDatedName, weight: 2 },
  { arbitrary: slotName, weight: 3 },
  { arbitrary: chainName, weight: 3 },
  { arbitrary: activeName, weight: 2 },
  { arbitrary: stagingName, weight: 1 },
  { arbitrary: singleName, weight: 2 },
  { arbitrary: hostileName, weight: 1 },
);

/** LastWritten in a 4-day window from T0, biased to hour boundaries. */
export const lastWrittenArb = fc.oneof(
  fc.integer({ min: T0, max: T0 + 4 * DAY }),
  fc.integer({ min: 0, max: 4 * 24 }).map((h) => T0 + h * HOUR),
  fc.integer({ min: 0, max: 4 * 24 }).map((h) => T0 + h * HOUR - 1),
);

export const listingArb = fc.uniqueArray(
  fc.record({ name: logNameArb, size: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 1e9 })), lastWritten: lastWrittenArb }),
  { selector: (f) => f.name, maxLength: 30 },
);

/** now: somewhere around the listing's window. */
export const nowArb = fc.integer({ min: T0, max: T0 + 5 * DAY });
