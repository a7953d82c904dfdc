// s3rver 3.7.1 goes to its directory for things that only change when it writes them: every request reads the
// bucket's CORS and website configurations (two failed opens when there are none) and stats the bucket, and every
// GET, HEAD and listed key stats the object and reads its metadata and MD5 files. This keeps what was read in
// memory, and forgets an entry when the store writes or deletes it. A read that was under way when its entry
// changed is not kept: each write moves the entry's generation on, before and after it.

/** The part of s3rver's filesystem store cached here (on the instance, so its own calls go through the cache). */
export interface CachedStore {
  getMetadata(bucket: string, key: string): Promise<Record<string, unknown>>;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
  putObject(object: { bucket: string; key: string }): Promise<{ size: number; md5: string }>;
  copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string, replacement?: Record<string, string>): Promise<unknown>;
  deleteObject(bucket: string, key: string): Promise<void>;
  getBucket(bucket: string): Promise<unknown>;
  putBucket(bucket: string): Promise<unknown>;
  deleteBucket(bucket: string): Promise<void>;
  getSubresource(bucket: string, key: string | undefined, type: string): Promise<unknown>;
  putSubresource(bucket: string, key: string | undefined, resource: { type: string }): Promise<void>;
  deleteSubresource(bucket: string, key: string | undefined, type: string): Promise<void>;
  reset(): void;
}

type Method = (...args: never[]) => Promise<unknown>;

class Entries<T> {
  private readonly values = new Map<string, T>();
  private readonly generations = new Map<string, number>();

  /** The cached value, or `read()`'s, kept unless the entry changed while it was read. */
  async get(id: string, read: () => Promise<T>): Promise<T> {
    if (this.values.has(id)) return this.values.get(id)!;
    const generation = this.generations.get(id) ?? 0;
    const value = await read();
    if ((this.generations.get(id) ?? 0) === generation) this.values.set(id, value);
    return value;
  }

  /** Runs a write of entry `id` (all entries when undefined), forgetting it before and after. */
  async changing<R>(id: string | undefined, write: () => Promise<R>): Promise<R> {
    this.forget(id);
    try {
      return await write();
    } finally {
      this.forget(id);
    }
  }

  forget(id: string | undefined): void {
    const ids = id === undefined ? [...this.values.keys(), ...this.generations.keys()] : [id];
    for (const one of ids) {
      this.values.delete(one);
      this.generations.set(one, (this.generations.get(one) ?? 0) + 1);
    }
  }
}

export function cacheStoreReads(store: CachedStore): void {
  const metadata = new Entries<Record<string, unknown>>();
  const buckets = new Entries<unknown>();
  const subresources = new Entries<unknown>();
  const original = <K extends keyof CachedStore>(name: K) => (store[name] as Method).bind(store) as CachedStore[K];
  const objectId = (bucket: string, key: string) => `${bucket}/${key}`;

  const getMetadata = original("getMetadata");
  // s3rver's callers change the object they are given (a default content-type): each gets its own copy.
  store.getMetadata = async (bucket, key) => ({ ...(await metadata.get(objectId(bucket, key), () => getMetadata(bucket, key))) });
  const putMetadata = original("putMetadata");
  store.putMetadata = (bucket, key, m, md5) => metadata.changing(objectId(bucket, key), () => putMetadata(bucket, key, m, md5));
  const putObject = original("putObject");
  store.putObject = (object) => metadata.changing(objectId(object.bucket, object.key), () => putObject(object));
  const copyObject = original("copyObject");
  store.copyObject = (srcBucket, srcKey, destBucket, destKey, replacement) =>
    metadata.changing(objectId(destBucket, destKey), () => copyObject(srcBucket, srcKey, destBucket, destKey, replacement));
  const deleteObject = original("deleteObject");
  store.deleteObject = (bucket, key) => metadata.changing(objectId(bucket, key), () => deleteObject(bucket, key));

  const getBucket = original("getBucket");
  store.getBucket = (bucket) => buckets.get(bucket, () => getBucket(bucket));
  const putBucket = original("putBucket");
  store.putBucket = (bucket) => buckets.changing(bucket, () => putBucket(bucket));
  const deleteBucket = original("deleteBucket");
  // A bucket's deletion takes its objects and configurations with it.
  store.deleteBucket = (bucket) =>
    buckets.changing(bucket, () => metadata.changing(undefined, () => subresources.changing(undefined, () => deleteBucket(bucket))));

  const subresourceId = (bucket: string, key: string | undefined, type: string) => `${bucket}/${key ?? ""}?${type}`;
  const getSubresource = original("getSubresource");
  store.getSubresource = (bucket, key, type) => subresources.get(subresourceId(bucket, key, type), () => getSubresource(bucket, key, type));
  const putSubresource = original("putSubresource");
  store.putSubresource = (bucket, key, resource) =>
    subresources.changing(subresourceId(bucket, key, resource.type), () => putSubresource(bucket, key, resource));
  const deleteSubresource = original("deleteSubresource");
  store.deleteSubresource = (bucket, key, type) =>
    subresources.changing(subresourceId(bucket, key, type), () => deleteSubresource(bucket, key, type));

  const reset = original("reset");
  store.reset = () => {
    reset();
    for (const entries of [metadata, buckets, subresources]) entries.forget(undefined);
  };
}
