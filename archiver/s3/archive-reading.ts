/**
 * Reading the archive back: which objects a prefix holds (streamed page by page), and what each one's metadata
 * says. The one reader of archived objects: the state rebuild (archiver/sync/rebuild-state.ts) and verify use it.
 * It lists only the prefixes it is given; archiver/layout/archive-key.ts says which (archiveHourPrefix, archivePrefix).
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { AwsSdk } from "../aws-sdk";
import { mapLimited } from "../limit";
import { readProvenance, type ProvenanceResult } from "./metadata";

export interface BucketReader {
  sdk: Pick<AwsSdk, "s3">;
  s3: S3Client;
  bucket: string;
  /** Keys per listing page (S3's default and most: 1,000); lowered only by tests. */
  pageSize?: number;
}

/** One object as a listing shows it. */
export interface ListedObject {
  key: string;
  /** Bytes stored (the gzip), as S3 counts them. */
  storedBytes: number;
  /** When S3 stored this version, POSIX ms. */
  lastModified: number;
}

/** One object with its metadata read. */
export type ArchivedObject = ListedObject & ProvenanceResult & { metadata: Record<string, string> };

/** HEADs in flight at once while reading many objects' metadata. */
export const HEAD_CONCURRENCY = 8;

/** The objects under `prefix`, one page (up to 1,000) at a time, in key order. */
export async function* listObjectPages(r: BucketReader, prefix: string): AsyncGenerator<ListedObject[]> {
  let token: string | undefined;
  do {
    const page = await r.s3.send(
      new r.sdk.s3.ListObjectsV2Command({
        Bucket: r.bucket, Prefix: prefix, ...(r.pageSize ? { MaxKeys: r.pageSize } : {}), ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    const objects: ListedObject[] = [];
    for (const o of page.Contents ?? []) {
      if (o.Key) objects.push({ key: o.Key, storedBytes: o.Size ?? 0, lastModified: o.LastModified?.getTime() ?? 0 });
    }
    yield objects;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** An object's size and metadata, or undefined when there is no such key. */
export async function headArchivedObject(r: BucketReader, key: string): Promise<ArchivedObject | undefined> {
  try {
    const out = await r.s3.send(new r.sdk.s3.HeadObjectCommand({ Bucket: r.bucket, Key: key }));
    const metadata = out.Metadata ?? {};
    return {
      key,
      storedBytes: out.ContentLength ?? 0,
      lastModified: out.LastModified?.getTime() ?? 0,
      metadata,
      ...readProvenance(metadata),
    };
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === "NotFound" || e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404) return undefined;
    throw err;
  }
}

/**
 * The objects under `prefix` with their metadata, a listing page at a time. `wanted` narrows which listed keys
 * are read (a HEAD each); the others are skipped without a request.
 */
export async function* readArchivedObjects(
  r: BucketReader,
  prefix: string,
  wanted: (o: ListedObject) => boolean = () => true,
): AsyncGenerator<ArchivedObject[]> {
  for await (const page of listObjectPages(r, prefix)) {
    const heads = await mapLimited(page.filter(wanted), HEAD_CONCURRENCY, (o) => headArchivedObject(r, o.key));
    // A key deleted between the listing and its HEAD is simply not there any more.
    yield heads.filter((o): o is ArchivedObject => o !== undefined);
  }
}

/**
 * Which of `keys` the archive holds, with their metadata. It lists each distinct folder of the keys (the
 * instance-hour prefixes the caller passes with them), then reads only the keys it found: one LIST per folder
 * plus one HEAD per archived key, whatever else the bucket holds.
 */
export async function findArchivedObjects(
  r: BucketReader,
  wanted: readonly { key: string; prefix: string }[],
): Promise<Map<string, ArchivedObject>> {
  const keysByPrefix = new Map<string, Set<string>>();
  for (const w of wanted) {
    const keys = keysByPrefix.get(w.prefix) ?? new Set<string>();
    keys.add(w.key);
    keysByPrefix.set(w.prefix, keys);
  }
  const found = new Map<string, ArchivedObject>();
  await mapLimited([...keysByPrefix], HEAD_CONCURRENCY, async ([prefix, keys]) => {
    for await (const page of readArchivedObjects(r, prefix, (o) => keys.has(o.key))) for (const o of page) found.set(o.key, o);
  });
  return found;
}
