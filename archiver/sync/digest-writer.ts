/**
 * Writes the digests due for one instance (archiver/digests/digest-plan.ts): each is created only if its key is
 * free (a conditional PUT), so a digest is never overwritten. When another run wrote one first, that one is read
 * back and the chain goes on from it.
 */
import type { AwsClients } from "../aws-clients";
import type { DigestObject } from "../digests/digest";
import { parseDigest, sha256Hex } from "../digests/digest";
import { dueHours, nextDigest, recordId, type DigestHead } from "../digests/digest-plan";
import { digestChainPrefix } from "../layout/digest-key";
import { listObjectPages } from "../s3/archive-reading";

export interface DigestsWritten {
  /** The journal records the digests list: they leave the journal. */
  records: Set<string>;
  head?: DigestHead;
  keys: string[];
}

export async function writeDueDigests(
  aws: AwsClients,
  bucket: string,
  target: { group: string; instance: string },
  state: { head?: DigestHead; journal: readonly DigestObject[] },
  now: number,
): Promise<DigestsWritten> {
  const out: DigestsWritten = { records: new Set(), keys: [], ...(state.head ? { head: state.head } : {}) };
  for (const hour of dueHours(state.head, state.journal, now)) {
    const remaining = state.journal.filter((o) => !out.records.has(recordId(o)));
    const next = nextDigest(target, out.head, remaining, hour);
    const existing = await createOnce(aws, bucket, next.key, next.text);
    if (existing === undefined) {
      for (const id of next.listed) out.records.add(id);
      out.head = { hour, key: next.key, sha256: next.sha256 };
    } else {
      // Another run wrote this hour's digest first: its objects are digested, and the chain goes on from it.
      const parsed = parseDigest(existing);
      if ("digest" in parsed) for (const o of parsed.digest.objects) out.records.add(recordId(o));
      out.head = { hour, key: next.key, sha256: sha256Hex(existing) };
    }
    out.keys.push(next.key);
  }
  return out;
}

/** PUTs `text` under `key` unless an object is there; returns the text already there, if any. */
async function createOnce(aws: AwsClients, bucket: string, key: string, text: string): Promise<string | undefined> {
  const there = await readText(aws, bucket, key);
  if (there !== undefined) return there;
  try {
    await aws.s3.send(new aws.sdk.s3.PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: "application/json", IfNoneMatch: "*" }));
    return undefined;
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === "PreconditionFailed" || e.$metadata?.httpStatusCode === 412) return readText(aws, bucket, key);
    throw err;
  }
}

async function readText(aws: AwsClients, bucket: string, key: string): Promise<string | undefined> {
  try {
    const out = await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: bucket, Key: key }));
    return await out.Body?.transformToString("utf8");
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404) return undefined;
    throw err;
  }
}

/**
 * The newest digest of an instance's chain, read from the bucket: for a state rebuilt from the archive, so that the
 * chain goes on rather than starting again. Keys sort in hour order; a chain holds at most one key per hour.
 */
export async function findChainHead(aws: AwsClients, bucket: string, target: { group: string; instance: string }): Promise<DigestHead | undefined> {
  let last: string | undefined;
  for await (const page of listObjectPages({ sdk: aws.sdk, s3: aws.s3, bucket }, digestChainPrefix(target.group, target.instance))) {
    if (page.length > 0) last = page[page.length - 1].key;
  }
  if (last === undefined) return undefined;
  const text = await readText(aws, bucket, last);
  const parsed = text === undefined ? undefined : parseDigest(text);
  if (!parsed || "error" in parsed) return undefined;
  return { hour: Date.parse(parsed.digest.hour), key: last, sha256: sha256Hex(text!) };
}
