/**
 * A verify run: for each instance, what RDS lists against what the archive holds (classify-files.ts), every
 * archived object's metadata, and with `deep` every object's content and every archived file RDS still holds.
 * Reads only; one bad instance or object never stops the others.
 */
import type { Readable } from "stream";
import { createClients, timeoutsOf, type AwsClients } from "../aws-clients";
import type { AwsSdk } from "../aws-sdk";
import { errorCode, errorMessage } from "../errors";
import { archivePrefix, parseArchiveKey } from "../layout/archive-key";
import { mapLimited } from "../limit";
import { clusterMembers } from "../rds/cluster-members";
import { openLogFileDownload } from "../rds/download-log-file";
import { listLogFiles } from "../rds/list-log-files";
import { checkDigestChain, checkObjectAgainstDigest, latestDigestEntries, parseDigest, type DigestObject, type StoredDigest } from "../digests/digest";
import { digestChainPrefix } from "../layout/digest-key";
import { gapGroupPrefix } from "../layout/gap-key";
import { encodeSegment } from "../layout/segments";
import { listObjectPages, readArchivedObjects, type ArchivedObject, type BucketReader } from "../s3/archive-reading";
import type { Provenance } from "../s3/metadata";
import { checkBucket, readStoredManifest } from "../s3/archive-state";
import { DEFAULTS } from "../settings";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "../sync/retry";
import { checkContent, checkObjectMetadata } from "./check-object";
import { classifyFiles } from "./classify-files";
import { digestGzipped, digestPlainOrGzipped } from "./content-digest";
import { isVerified, verifyTotals, type ChainBreak, type InstanceVerification, type LostFile, type ObjectFinding, type VerifyReport } from "./verify-report";

export interface VerifySettings {
  bucket: string;
  instances: readonly string[];
  clusters: readonly string[];
  /** Read every object's content, and download every archived file RDS still holds again. */
  deep: boolean;
  /** Walk each group's digest chain and check every object against it. */
  digests: boolean;
}

export interface VerifyRuntime {
  sdk: AwsSdk;
  env: NodeJS.ProcessEnv;
  now?: () => number;
  retry?: Partial<RetryPolicy>;
  /** A closed file last written this recently and not yet archived is deferred, not missing (default: an hour). */
  deferWindowMs?: number;
  connectTimeoutSeconds?: number;
  readTimeoutSeconds?: number;
}

export const DEFAULT_DEFER_WINDOW_MS = 60 * 60_000;
/** Objects read, or files downloaded, at once with --deep: each is one stream through gunzip and sha256. */
const DEEP_CONCURRENCY = 4;

interface Target {
  instance: string;
  group: string;
}

export async function runVerify(settings: VerifySettings, runtime: VerifyRuntime): Promise<VerifyReport> {
  const now = runtime.now ?? Date.now;
  const startedAt = new Date(now()).toISOString();
  const errors: VerifyReport["errors"] = [];
  const chainBreaks: VerifyReport["chainBreaks"] = [];
  let instances: InstanceVerification[] = [];
  const finish = (): VerifyReport => {
    const totals = verifyTotals(instances, chainBreaks.length);
    const report = { bucket: settings.bucket, deep: settings.deep, digests: settings.digests, startedAt, finishedAt: new Date(now()).toISOString(), instances, chainBreaks, errors, totals };
    return { ...report, ok: isVerified(report) };
  };
  let aws: AwsClients;
  try {
    aws = await createClients(runtime.sdk, runtime.env, timeoutsOf({
      connectTimeoutSeconds: runtime.connectTimeoutSeconds ?? DEFAULTS.connectTimeoutSeconds,
      readTimeoutSeconds: runtime.readTimeoutSeconds ?? DEFAULTS.readTimeoutSeconds,
    }));
    await checkBucket(aws, settings.bucket);
  } catch (err) {
    errors.push({ target: settings.bucket, code: errorCode(err), message: errorMessage(err) });
    return finish();
  }
  const retry = { ...DEFAULT_RETRY, ...runtime.retry };
  const reader: BucketReader = { sdk: aws.sdk, s3: aws.s3, bucket: settings.bucket };
  const targets = await resolveTargets(aws, settings, retry, errors);
  const ctx: VerifyContext = { aws, reader, settings, retry, now, deferWindowMs: runtime.deferWindowMs ?? DEFAULT_DEFER_WINDOW_MS };
  const groups = [...new Set(targets.map((t) => t.group))];
  const perGroup = await mapLimited(groups, 4, (group) => verifyGroup(ctx, group, targets.filter((t) => t.group === group), chainBreaks));
  instances = perGroup.flat();
  if (targets.length > 0 && instances.every((i) => i.objectsChecked === 0 && !i.error)) {
    errors.push({
      target: settings.bucket, code: "NothingArchived",
      message: `s3://${settings.bucket} holds no archived object of ${groups.join(", ")}: no sync has archived anything there yet (or this is not the archive bucket)`,
    });
  }
  return finish();
}

interface VerifyContext {
  aws: AwsClients;
  reader: BucketReader;
  settings: VerifySettings;
  retry: RetryPolicy;
  now: () => number;
  deferWindowMs: number;
}

/** One listing of the group's part of the archive, shared by its instances (an Aurora cluster's members). */
async function verifyGroup(ctx: VerifyContext, group: string, targets: Target[], chainBreaks: ChainBreak[]): Promise<InstanceVerification[]> {
  const byInstance = new Map<string, ArchivedObject[]>(targets.map((t) => [t.instance, []]));
  try {
    const wanted = (key: string) => byInstance.has(parseArchiveKey(key)?.instance ?? "\u0000");
    for await (const page of readArchivedObjects(ctx.reader, archivePrefix(group), (o) => wanted(o.key))) {
      for (const o of page) byInstance.get(parseArchiveKey(o.key)!.instance)!.push(o);
    }
  } catch (err) {
    const error = { code: errorCode(err), message: `reading s3://${ctx.settings.bucket}/${archivePrefix(group)}: ${errorMessage(err)}` };
    return targets.map((t) => emptyVerification(t, error));
  }
  return mapLimited(targets, 4, (t) => verifyInstance(ctx, t, byInstance.get(t.instance)!, chainBreaks));
}

function emptyVerification(t: Target, error?: InstanceVerification["error"]): InstanceVerification {
  return { ...t, listed: 0, files: [], objectsChecked: 0, objectsRead: 0, filesRedownloaded: 0, findings: [], lost: [], ...(error ? { error } : {}) };
}

async function verifyInstance(ctx: VerifyContext, target: Target, objects: ArchivedObject[], chainBreaks: ChainBreak[]): Promise<InstanceVerification> {
  const result = emptyVerification(target);
  result.objectsChecked = objects.length;
  for (const o of objects) {
    const finding = checkObjectMetadata(o.key, target.instance, o.metadata, o);
    if (finding) result.findings.push(finding);
  }
  try {
    result.lost = await readGapLedger(ctx, target);
  } catch (err) {
    result.error = { code: errorCode(err), message: `reading ${target.instance}'s gap ledger: ${errorMessage(err)}` };
  }
  if (ctx.settings.digests) {
    try {
      const checked = await checkDigests(ctx, target, objects);
      result.findings.push(...checked.findings);
      chainBreaks.push(...checked.breaks);
    } catch (err) {
      result.error = { code: errorCode(err), message: `reading ${target.instance}'s digests: ${errorMessage(err)}` };
    }
  }
  let listing;
  try {
    listing = await withRetry(ctx.retry, () => listLogFiles(ctx.aws, target.instance));
  } catch (err) {
    result.error = { code: errorCode(err), message: `listing ${target.instance}'s log files: ${errorMessage(err)}` };
    return result;
  }
  result.listed = listing.length;
  const byKey = new Map(objects.map((o) => [o.key, o]));
  result.files = classifyFiles({ group: target.group, instance: target.instance, listing, objects: byKey, now: ctx.now(), deferWindowMs: ctx.deferWindowMs });
  if (ctx.settings.deep) {
    const healthy = objects.filter((o) => "provenance" in o);
    const read = await mapLimited(healthy, DEEP_CONCURRENCY, (o) => readBack(ctx, o));
    result.objectsRead = healthy.length;
    const archived = result.files.filter((f) => f.status === "archived" && f.key && byKey.has(f.key));
    const again = await mapLimited(archived, DEEP_CONCURRENCY, (f) => downloadAgain(ctx, target.instance, f.file, byKey.get(f.key!)!));
    result.filesRedownloaded = again.filter((r) => r !== "gone").length;
    for (const f of [...read, ...again]) if (f && f !== "gone") result.findings.push(f);
  }
  return result;
}

/** The files the sync recorded as gone from RDS before they were archived (archiver/s3/gap-ledger.ts). */
async function readGapLedger(ctx: VerifyContext, target: Target): Promise<LostFile[]> {
  const lost: LostFile[] = [];
  for await (const page of listObjectPages(ctx.reader, `${gapGroupPrefix(target.group)}${encodeSegment(target.instance)}/`)) {
    for (const o of page) {
      const text = await getText(ctx, o.key);
      let entry: { file?: unknown; size?: unknown; lastWritten?: unknown; noticedAt?: unknown; reason?: unknown } = {};
      try {
        entry = JSON.parse(text);
      } catch {
        // An unreadable entry still says a file was lost: it is reported by its key.
      }
      lost.push({
        file: typeof entry.file === "string" ? entry.file : o.key,
        detail: `last listed ${String(entry.size)} bytes, last written ${String(entry.lastWritten)}, noticed ${String(entry.noticedAt)}: ${String(entry.reason)} (${o.key})`,
      });
    }
  }
  return lost;
}

/**
 * --digests: the instance's chain walked (checkDigestChain), and every object its digests list compared with
 * what the bucket holds now under that key (checkObjectAgainstDigest).
 */
async function checkDigests(ctx: VerifyContext, target: Target, objects: ArchivedObject[]): Promise<{ findings: ObjectFinding[]; breaks: ChainBreak[] }> {
  const stored: StoredDigest[] = [];
  for await (const page of listObjectPages(ctx.reader, digestChainPrefix(target.group, target.instance))) {
    stored.push(...(await mapLimited(page, 8, async (o) => ({ key: o.key, text: await getText(ctx, o.key) }))));
  }
  // The state object records the newest digest's sha256: without it, a replaced newest digest would go unseen.
  const head = (await readStoredManifest(ctx.aws, ctx.settings.bucket, target.group, target.instance))?.digestHead;
  const breaks = checkDigestChain(stored, head).map((f): ChainBreak => ({ ...target, key: f.key, detail: f.problem }));
  const digests = stored.map((d) => parseDigest(d.text)).flatMap((p) => ("digest" in p ? [p.digest] : []));
  const byKey = new Map(objects.map((o) => [o.key, o]));
  const findings: ObjectFinding[] = [];
  for (const [key, entry] of latestDigestEntries(digests)) {
    const o = byKey.get(key);
    const now = o && {
      storedBytes: o.storedBytes,
      ...("provenance" in o ? { bytes: o.provenance.bytes, sha256: o.provenance.sha256, rds: rdsOf(o.provenance) } : {}),
    };
    const problems = checkObjectAgainstDigest(entry, now);
    if (problems.length > 0) findings.push({ key, problem: "digest", detail: problems.join("; ") });
  }
  return { findings, breaks };
}

function rdsOf(p: Provenance): DigestObject["rds"] {
  return { instance: p.instance, file: p.file, size: p.size, lastWritten: p.lastWritten };
}

async function getText(ctx: VerifyContext, key: string): Promise<string> {
  return withRetry(ctx.retry, async () => {
    const out = await ctx.aws.s3.send(new ctx.aws.sdk.s3.GetObjectCommand({ Bucket: ctx.settings.bucket, Key: key }));
    return (await out.Body?.transformToString("utf8")) ?? "";
  });
}

/** --deep: the object's content, gunzipped and hashed as it streams, against its metadata. */
async function readBack(ctx: VerifyContext, o: ArchivedObject): Promise<ObjectFinding | undefined> {
  if (!("provenance" in o)) return undefined;
  try {
    const digest = await withRetry(ctx.retry, async () => {
      const out = await ctx.aws.s3.send(new ctx.aws.sdk.s3.GetObjectCommand({ Bucket: ctx.settings.bucket, Key: o.key }));
      return digestGzipped(out.Body as Readable);
    });
    return checkContent(o.key, o.provenance, digest);
  } catch (err) {
    if (errorCode(err) === "CorruptGzip") return { key: o.key, problem: "corrupt", detail: errorMessage(err) };
    return { key: o.key, problem: "unreadable", detail: `${errorCode(err)}: ${errorMessage(err)}` };
  }
}

/** --deep: the file RDS still holds, downloaded again, against the archived content's sha256. */
async function downloadAgain(ctx: VerifyContext, instance: string, file: string, o: ArchivedObject): Promise<ObjectFinding | "gone" | undefined> {
  if (!("provenance" in o)) return undefined;
  try {
    const digest = await withRetry(ctx.retry, async () => digestPlainOrGzipped(await openLogFileDownload(ctx.aws, instance, file)));
    if (digest.sha256 === o.provenance.sha256 && digest.bytes === o.provenance.bytes) return undefined;
    return {
      key: o.key, problem: "differs-from-rds",
      detail: `RDS serves ${instance} ${file} as ${digest.bytes} bytes with sha256 ${digest.sha256}; the archive holds ${o.provenance.bytes} bytes with sha256 ${o.provenance.sha256}`,
    };
  } catch (err) {
    // Rotated away or deleted since the listing: nothing left to compare with.
    if ((err as { status?: number }).status === 404) return "gone";
    return { key: o.key, problem: "unreadable", detail: `downloading ${instance} ${file} from RDS again: ${errorCode(err)}: ${errorMessage(err)}` };
  }
}

/** Cluster members first, as the sync files them: an instance named on its own and in a named cluster is verified once, under the cluster. */
async function resolveTargets(aws: AwsClients, settings: VerifySettings, retry: RetryPolicy, errors: VerifyReport["errors"]): Promise<Target[]> {
  const targets = new Map<string, Target>();
  for (const cluster of settings.clusters) {
    try {
      for (const instance of await withRetry(retry, () => clusterMembers(aws, cluster))) {
        if (!targets.has(instance)) targets.set(instance, { instance, group: cluster });
      }
    } catch (err) {
      errors.push({ target: cluster, code: errorCode(err), message: errorMessage(err) });
    }
  }
  for (const instance of settings.instances) if (!targets.has(instance)) targets.set(instance, { instance, group: instance });
  return [...targets.values()];
}
