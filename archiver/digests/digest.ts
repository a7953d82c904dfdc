/**
 * Digests: for each instance and hour, the objects the sync stored (recorded) by the end of that hour, each with
 * its stored size, content sha256 and RDS provenance, and the key and sha256 of the previous digest. The chain
 * makes a deleted, replaced or altered digest visible, and each digest makes a deleted, replaced or altered
 * object visible. Pure: building, reading and checking; the writer is archiver/sync/digest-writer.ts.
 * The format is documented in docs/proving-the-archive.md.
 */
import { createHash } from "crypto";

export const DIGEST_VERSION = 1;

/** One stored object as a digest lists it. */
export interface DigestObject {
  key: string;
  /** Bytes S3 stores (the gzip). */
  storedBytes: number;
  /** Uncompressed bytes and their sha256 (hex): the object's `bytes` and `sha256` metadata. */
  bytes: number;
  sha256: string;
  /** The `rds-*` metadata: the file as RDS listed it when it was copied. */
  rds: { instance: string; file: string; size: number; lastWritten: number };
  /** When the sync finished storing it, ISO 8601. */
  storedAt: string;
}

export interface DigestLink {
  key: string;
  /** sha256 (hex) of the previous digest object's exact bytes. */
  sha256: string;
}

export interface Digest {
  version: typeof DIGEST_VERSION;
  group: string;
  instance: string;
  /** The hour this digest closes, ISO 8601 (its start): it lists the objects recorded before the hour ended. */
  hour: string;
  /** null only for the first digest of a chain. */
  previous: DigestLink | null;
  objects: DigestObject[];
}

export function sha256Hex(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The stored form: one canonical JSON text (fixed field order, objects sorted by key then time), and its sha256. */
export function renderDigest(d: Digest): { text: string; sha256: string } {
  const objects = [...d.objects]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.storedAt < b.storedAt ? -1 : a.storedAt > b.storedAt ? 1 : 0))
    .map((o) => ({
      key: o.key, storedBytes: o.storedBytes, bytes: o.bytes, sha256: o.sha256,
      rds: { instance: o.rds.instance, file: o.rds.file, size: o.rds.size, lastWritten: o.rds.lastWritten }, storedAt: o.storedAt,
    }));
  const previous = d.previous ? { key: d.previous.key, sha256: d.previous.sha256 } : null;
  const text = `${JSON.stringify({ version: d.version, group: d.group, instance: d.instance, hour: d.hour, previous, objects })}\n`;
  return { text, sha256: sha256Hex(text) };
}

export type ParsedDigest = { digest: Digest } | { error: string };

export function parseDigest(text: string): ParsedDigest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { error: "not JSON" };
  }
  const d = raw as Digest;
  if (typeof d !== "object" || d === null || d.version !== DIGEST_VERSION) return { error: `not a version ${DIGEST_VERSION} digest` };
  if (typeof d.group !== "string" || typeof d.instance !== "string" || Number.isNaN(Date.parse(d.hour))) return { error: "no group, instance or hour" };
  const link = d.previous;
  if (link !== null && (typeof link !== "object" || typeof link.key !== "string" || !isSha(link.sha256))) return { error: "malformed previous link" };
  if (!Array.isArray(d.objects) || !d.objects.every(isDigestObject)) return { error: "malformed object list" };
  return { digest: d };
}

function isSha(s: unknown): boolean {
  return typeof s === "string" && /^[0-9a-f]{64}$/.test(s);
}

export function isDigestObject(o: unknown): o is DigestObject {
  const x = o as DigestObject;
  return (
    typeof x === "object" && x !== null && typeof x.key === "string" && Number.isFinite(x.storedBytes) && Number.isFinite(x.bytes) &&
    isSha(x.sha256) && typeof x.storedAt === "string" && typeof x.rds === "object" && x.rds !== null &&
    typeof x.rds.instance === "string" && typeof x.rds.file === "string" && Number.isFinite(x.rds.size) && Number.isFinite(x.rds.lastWritten)
  );
}

export interface StoredDigest {
  key: string;
  /** The object's exact bytes. */
  text: string;
}

export interface ChainFinding {
  /** The digest the problem shows in. */
  key: string;
  problem: string;
}

/**
 * Walks one chain, digests in key (hour) order: each must parse, and name the digest before it by key and
 * by the sha256 of its exact bytes. A digest deleted, replaced or altered shows in the next one; a digest
 * whose predecessor is absent from `digests` is reported too, unless it is the chain's first.
 * `head`, when known (the state object keeps it), is what the last digest must hash to, so that the last one is covered too.
 */
export function checkDigestChain(digests: readonly StoredDigest[], head?: DigestLink): ChainFinding[] {
  const sorted = [...digests].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const findings: ChainFinding[] = [];
  let before: { key: string; sha256: string } | undefined;
  for (const stored of sorted) {
    const parsed = parseDigest(stored.text);
    const sha256 = sha256Hex(stored.text);
    if ("error" in parsed) {
      findings.push({ key: stored.key, problem: `unreadable digest: ${parsed.error}` });
    } else {
      const link = parsed.digest.previous;
      if (before === undefined) {
        if (link !== null) findings.push({ key: stored.key, problem: `the previous digest ${link.key} is missing` });
      } else if (link === null) {
        findings.push({ key: stored.key, problem: `starts a new chain after ${before.key}` });
      } else if (link.key !== before.key) {
        findings.push({ key: stored.key, problem: `names ${link.key} as the previous digest, but the one before it is ${before.key}: a digest is missing` });
      } else if (link.sha256 !== before.sha256) {
        findings.push({ key: before.key, problem: `was changed after it was written: its sha256 is ${before.sha256}, ${stored.key} recorded ${link.sha256}` });
      }
    }
    before = { key: stored.key, sha256 };
  }
  if (head) {
    const last = sorted[sorted.length - 1];
    if (!last || last.key < head.key) findings.push({ key: head.key, problem: "the newest digest is missing" });
    else if (last.key === head.key && before!.sha256 !== head.sha256) {
      findings.push({ key: head.key, problem: `was changed after it was written: its sha256 is ${before!.sha256}, the sync recorded ${head.sha256}` });
    }
  }
  return findings;
}

/** What an archived object looks like now, for checking against its digest entry. */
export interface ObjectNow {
  storedBytes: number;
  /** The object's user metadata, as S3 returns it. */
  bytes?: number;
  sha256?: string;
  rds?: DigestObject["rds"];
}

/**
 * The newest digest entry of every key in a chain: an object replaced later (an active file refreshed, a
 * grown file copied again) is listed again in a later digest, and only its latest version should still be stored.
 */
export function latestDigestEntries(digests: readonly Digest[]): Map<string, DigestObject> {
  const latest = new Map<string, DigestObject>();
  const byHour = [...digests].sort((a, b) => Date.parse(a.hour) - Date.parse(b.hour));
  for (const d of byHour) for (const o of d.objects) {
    const seen = latest.get(o.key);
    if (!seen || seen.storedAt <= o.storedAt) latest.set(o.key, o);
  }
  return latest;
}

/** How an object differs from its latest digest entry; empty when it matches. `now` undefined: deleted. */
export function checkObjectAgainstDigest(entry: DigestObject, now: ObjectNow | undefined): string[] {
  if (!now) return [`deleted: listed in a digest (stored ${entry.storedAt}) but not in the bucket`];
  const problems: string[] = [];
  if (now.storedBytes !== entry.storedBytes) problems.push(`stored size ${now.storedBytes}, the digest says ${entry.storedBytes}`);
  if (now.sha256 !== entry.sha256) problems.push(`sha256 metadata ${now.sha256 ?? "(none)"}, the digest says ${entry.sha256}`);
  if (now.bytes !== entry.bytes) problems.push(`bytes metadata ${now.bytes ?? "(none)"}, the digest says ${entry.bytes}`);
  const r = now.rds;
  if (!r || r.instance !== entry.rds.instance || r.file !== entry.rds.file || r.size !== entry.rds.size || r.lastWritten !== entry.rds.lastWritten) {
    problems.push(`rds-* metadata ${r ? JSON.stringify(r) : "(none)"}, the digest says ${JSON.stringify(entry.rds)}`);
  }
  return problems;
}
