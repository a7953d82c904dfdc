/**
 * The archive checker: what the bucket holds against what the engine models wrote.
 *
 * checkArchive() is pure: it takes the ledger's line classes and the archived objects (stored bytes + metadata)
 * and reports
 * - lost:        required lines (seen in a closed file at some sync) that no object holds;
 * - duplicated:  lines held more than once (in one object or across objects);
 * - corrupted:   objects that are not gzip, are not valid UTF-8, end in a partial line, or hold text that is
 *                not a line any model wrote (a cut, merged or garbled line);
 * - layout:      keys that do not match `<group>/<logtype>/YYYY/MM/DD/HH/<instance>/<file>.gz`;
 * - misplaced:   lines archived under another instance's key;
 * - metadata:    objects whose `bytes`/`sha256`/`rds-instance` metadata disagree with their content;
 * - period:      objects whose key hour is more than an hour away from the lines they hold.
 * Pending and unarchivable lines are never required, but must not be duplicated or corrupted either.
 * readArchive() is the one function that touches S3.
 */
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { DIGESTS_PREFIX, GAPS_PREFIX, STATE_PREFIX } from "../../archiver/layout/prefixes";
import { LineClasses, parseLine } from "./ledger";
import { HOUR, floorTo } from "./time";

export interface ArchivedObject {
  key: string;
  /** The stored bytes (a gzip stream). */
  body: Buffer;
  /** User metadata, keys lower-case; omitted when not read. */
  metadata?: Record<string, string>;
}

export interface CheckOptions {
  /** instance id -> group (the cluster id for Aurora members, else the instance id). */
  groups: ReadonlyMap<string, string>;
  /** Keys under this prefix are the engine's own state and are skipped. */
  statePrefix?: string;
}

export interface Finding {
  key: string;
  reason: string;
  detail?: string;
}

export interface CheckResult {
  objects: number;
  /** Lines read out of the archive (all objects, with repeats). */
  archivedLines: number;
  /** Required lines: the ones that must be in the archive exactly once. */
  linesChecked: number;
  lost: string[];
  duplicated: { line: string; count: number; keys: string[] }[];
  corrupted: Finding[];
  layout: Finding[];
  misplaced: Finding[];
  metadata: Finding[];
  period: Finding[];
  pending: { total: number; archived: number };
  unarchivable: { total: number; archived: number };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const lenientUtf8 = new TextDecoder("utf-8");

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const KEY = /^([^/]+)\/([^/]+)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/([^/]+)\/(.+\.gz)$/;

/** Checks one key against the layout; returns the instance and key hour, or the reason it is wrong. */
export function checkKey(key: string, groups: ReadonlyMap<string, string>): { instance: string; hour: number } | { error: string } {
  const m = KEY.exec(key);
  if (!m) return { error: "does not match <group>/<logtype>/YYYY/MM/DD/HH/<instance>/<file>.gz" };
  const [, group, , y, mo, d, h, instance] = m;
  const expectedGroup = groups.get(instance);
  if (expectedGroup === undefined) return { error: `unknown instance segment "${instance}"` };
  if (group !== expectedGroup) return { error: `group "${group}" should be "${expectedGroup}" for ${instance}` };
  const pattern = new RegExp(`^${escapeRe(expectedGroup)}/[^/]+/\\d{4}/\\d{2}/\\d{2}/\\d{2}/${escapeRe(instance)}/.+\\.gz$`);
  if (!pattern.test(key)) return { error: "layout" };
  const hour = Date.UTC(+y, +mo - 1, +d, +h);
  const t = new Date(hour);
  if (+mo < 1 || +mo > 12 || +h > 23 || t.getUTCDate() !== +d) return { error: `not a real UTC hour: ${y}-${mo}-${d} ${h}h` };
  return { instance, hour };
}

export function checkArchive(classes: LineClasses, objects: readonly ArchivedObject[], opts: CheckOptions): CheckResult {
  const statePrefix = opts.statePrefix ?? "_state/";
  const result: CheckResult = {
    objects: 0,
    archivedLines: 0,
    linesChecked: classes.required.size,
    lost: [],
    duplicated: [],
    corrupted: [],
    layout: [],
    misplaced: [],
    metadata: [],
    period: [],
    pending: { total: classes.pending.size, archived: 0 },
    unarchivable: { total: classes.unarchivable.size, archived: 0 },
  };
  const seen = new Map<string, string[]>();

  for (const obj of [...objects].sort((a, b) => (a.key < b.key ? -1 : 1))) {
    if (obj.key.startsWith(statePrefix)) continue;
    result.objects++;
    const where = checkKey(obj.key, opts.groups);
    if ("error" in where) result.layout.push({ key: obj.key, reason: where.error });

    let plain: Buffer;
    try {
      plain = gunzipSync(obj.body);
    } catch (e) {
      result.corrupted.push({ key: obj.key, reason: "not a gzip stream", detail: String(e) });
      continue;
    }
    if (obj.metadata) checkMetadata(obj.key, plain, obj.metadata, "error" in where ? undefined : where.instance, result);

    let text: string;
    try {
      text = utf8.decode(plain);
    } catch {
      result.corrupted.push({ key: obj.key, reason: "invalid UTF-8" });
      text = lenientUtf8.decode(plain);
    }
    const parts = text.split("\n");
    const tail = parts.pop()!; // "" when the text ends with "\n"
    if (tail !== "") result.corrupted.push({ key: obj.key, reason: "partial last line (no trailing newline)", detail: tail.slice(0, 200) });

    let minAt = Infinity;
    let maxAt = -Infinity;
    for (const line of parts) {
      result.archivedLines++;
      if (!classes.written.has(line)) {
        result.corrupted.push({ key: obj.key, reason: line === "" ? "empty line" : "not a line any model wrote", detail: line.slice(0, 200) });
        continue;
      }
      const keys = seen.get(line);
      if (keys) keys.push(obj.key);
      else seen.set(line, [obj.key]);
      const parsed = parseLine(line)!;
      minAt = Math.min(minAt, parsed.at);
      maxAt = Math.max(maxAt, parsed.at);
      if (!("error" in where) && parsed.instance !== where.instance) {
        result.misplaced.push({ key: obj.key, reason: `line of ${parsed.instance}`, detail: line.slice(0, 200) });
      }
    }
    if (!("error" in where) && minAt <= maxAt) {
      const lo = floorTo(minAt, HOUR) - HOUR;
      const hi = floorTo(maxAt, HOUR) + HOUR;
      if (where.hour < lo || where.hour > hi) {
        result.period.push({
          key: obj.key,
          reason: `key hour ${new Date(where.hour).toISOString()} is not within an hour of its lines (${new Date(minAt).toISOString()} .. ${new Date(maxAt).toISOString()})`,
        });
      }
    }
  }

  for (const [line, keys] of seen) {
    if (keys.length > 1) result.duplicated.push({ line, count: keys.length, keys });
    if (classes.pending.has(line)) result.pending.archived++;
    if (classes.unarchivable.has(line)) result.unarchivable.archived++;
  }
  for (const line of classes.required) if (!seen.has(line)) result.lost.push(line);
  result.lost.sort();
  return result;
}

function checkMetadata(key: string, plain: Buffer, meta: Record<string, string>, instance: string | undefined, result: CheckResult): void {
  const bad = (reason: string) => result.metadata.push({ key, reason });
  if (instance !== undefined && meta["rds-instance"] !== instance) bad(`rds-instance is "${meta["rds-instance"]}", key says "${instance}"`);
  if (!meta["rds-log-file"]) bad("rds-log-file missing");
  for (const n of ["rds-size", "rds-last-written"]) if (!/^\d+$/.test(meta[n] ?? "")) bad(`${n} is "${meta[n]}"`);
  if (meta["bytes"] !== String(plain.length)) bad(`bytes is "${meta["bytes"]}", content has ${plain.length}`);
  const sha = createHash("sha256").update(plain).digest("hex");
  if ((meta["sha256"] ?? "").toLowerCase() !== sha) bad(`sha256 is "${meta["sha256"]}", content hashes to ${sha}`);
}

/** True when nothing was lost, duplicated or corrupted and every key and its metadata are right. */
export function isClean(r: CheckResult): boolean {
  return (
    r.lost.length + r.duplicated.length + r.corrupted.length + r.layout.length + r.misplaced.length + r.metadata.length + r.period.length === 0
  );
}

/** A short human summary with the first few findings of each kind. */
export function summarize(r: CheckResult, examples = 3): string {
  const lines = [
    `objects=${r.objects} archivedLines=${r.archivedLines} required=${r.linesChecked} lost=${r.lost.length} duplicated=${r.duplicated.length} ` +
      `corrupted=${r.corrupted.length} layout=${r.layout.length} misplaced=${r.misplaced.length} metadata=${r.metadata.length} period=${r.period.length} ` +
      `pending=${r.pending.total} (archived ${r.pending.archived}) unarchivable=${r.unarchivable.total} (archived ${r.unarchivable.archived})`,
  ];
  const show = (label: string, items: unknown[]) => {
    for (const item of items.slice(0, examples)) lines.push(`  ${label}: ${typeof item === "string" ? item.slice(0, 160) : JSON.stringify(item).slice(0, 400)}`);
  };
  show("lost", r.lost);
  show("duplicated", r.duplicated);
  show("corrupted", r.corrupted);
  show("layout", r.layout);
  show("misplaced", r.misplaced);
  show("metadata", r.metadata);
  show("period", r.period);
  return lines.join("\n");
}

export interface ReadArchiveOptions {
  endpoint: string;
  bucket: string;
  region?: string;
  /** Skip objects under this prefix entirely (they are not downloaded). */
  statePrefix?: string;
}

/** The archiver's own prefixes, which hold no log content: state, digests, the gap ledger. */
function ownPrefixes(o: ReadArchiveOptions): string[] {
  return [o.statePrefix ?? STATE_PREFIX, DIGESTS_PREFIX, GAPS_PREFIX];
}

/** Lists and downloads every object of the bucket (except the archiver's own prefixes), with its user metadata. */
export async function readArchive(o: ReadArchiveOptions): Promise<ArchivedObject[]> {
  const { S3Client, ListObjectsV2Command, GetObjectCommand } = await import("@aws-sdk/client-s3");
  const client = new S3Client({
    endpoint: o.endpoint,
    region: o.region ?? "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: o.bucket, ContinuationToken: token }));
      for (const c of page.Contents ?? []) if (c.Key && !ownPrefixes(o).some((p) => c.Key!.startsWith(p))) keys.push(c.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const out: ArchivedObject[] = [];
    for (let i = 0; i < keys.length; i += 8) {
      const batch = await Promise.all(
        keys.slice(i, i + 8).map(async (key) => {
          const r = await client.send(new GetObjectCommand({ Bucket: o.bucket, Key: key }));
          const body = Buffer.from(await r.Body!.transformToByteArray());
          const metadata: Record<string, string> = {};
          for (const [k, v] of Object.entries(r.Metadata ?? {})) metadata[k.toLowerCase()] = v;
          return { key, body, metadata };
        }),
      );
      out.push(...batch);
    }
    return out;
  } finally {
    client.destroy();
  }
}
