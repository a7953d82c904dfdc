import * as assert from "node:assert/strict";
import { cacheStoreReads, type CachedStore } from "../../local-aws/store-cache";

/** A store in memory that counts its reads; `hold` keeps the next getMetadata pending until released. */
function fakeStore() {
  const objects = new Map<string, Record<string, unknown>>();
  const configs = new Map<string, unknown>();
  const buckets = new Set<string>(["b"]);
  const reads = { metadata: 0, bucket: 0, subresource: 0 };
  let held: { release: () => void } | undefined;
  let holdNext = false;
  const store: CachedStore = {
    async getMetadata(bucket, key) {
      reads.metadata++;
      const value = objects.get(`${bucket}/${key}`);
      if (holdNext) {
        holdNext = false;
        await new Promise<void>((resolve) => (held = { release: resolve }));
      }
      if (!value) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
      return value;
    },
    async putMetadata(bucket, key, metadata) {
      objects.set(`${bucket}/${key}`, { ...metadata });
    },
    async putObject(object) {
      objects.set(`${object.bucket}/${object.key}`, { version: (object as { version?: number }).version });
      return { size: 0, md5: "" };
    },
    async copyObject(srcBucket, srcKey, destBucket, destKey, replacement) {
      objects.set(`${destBucket}/${destKey}`, { ...(replacement ?? objects.get(`${srcBucket}/${srcKey}`)) });
    },
    async deleteObject(bucket, key) {
      objects.delete(`${bucket}/${key}`);
    },
    async getBucket(bucket) {
      reads.bucket++;
      return buckets.has(bucket) ? { name: bucket } : null;
    },
    async putBucket(bucket) {
      buckets.add(bucket);
    },
    async deleteBucket(bucket) {
      buckets.delete(bucket);
      for (const id of [...objects.keys()]) if (id.startsWith(`${bucket}/`)) objects.delete(id);
    },
    async getSubresource(bucket, key, type) {
      reads.subresource++;
      return configs.get(`${bucket}/${key ?? ""}?${type}`) ?? null;
    },
    async putSubresource(bucket, key, resource) {
      configs.set(`${bucket}/${key ?? ""}?${resource.type}`, resource);
    },
    async deleteSubresource(bucket, key, type) {
      configs.delete(`${bucket}/${key ?? ""}?${type}`);
    },
    reset() {
      objects.clear();
    },
  };
  cacheStoreReads(store);
  return { store, reads, hold: () => (holdNext = true), release: () => held?.release() };
}

describe("local-aws/store-cache: s3rver's reads kept until the store changes what they read", () => {
  it("reads an object's metadata once, and again after each kind of write to it", async () => {
    const { store, reads } = fakeStore();
    await store.putMetadata("b", "k", { "x-amz-meta-v": "1" });
    assert.deepEqual(await store.getMetadata("b", "k"), { "x-amz-meta-v": "1" });
    assert.deepEqual(await store.getMetadata("b", "k"), { "x-amz-meta-v": "1" });
    assert.equal(reads.metadata, 1);
    const writes: [string, () => Promise<unknown>, Record<string, unknown> | undefined][] = [
      ["putMetadata", () => store.putMetadata("b", "k", { "x-amz-meta-v": "2" }), { "x-amz-meta-v": "2" }],
      ["putObject", () => store.putObject({ bucket: "b", key: "k", version: 3 } as never), { version: 3 }],
      ["copyObject", () => store.copyObject("b", "other", "b", "k", { "x-amz-meta-v": "4" }), { "x-amz-meta-v": "4" }],
      ["deleteObject", () => store.deleteObject("b", "k"), undefined],
    ];
    for (const [name, write, expected] of writes) {
      await write();
      const read = await store.getMetadata("b", "k").catch(() => undefined);
      assert.deepEqual(read, expected, `after ${name}`);
    }
    assert.equal(reads.metadata, 1 + writes.length);
  });

  it("does not keep a read that was under way while its object changed", async () => {
    const { store, reads, hold, release } = fakeStore();
    await store.putMetadata("b", "k", { "x-amz-meta-v": "old" });
    hold();
    const reading = store.getMetadata("b", "k");
    await new Promise((resolve) => setImmediate(resolve));
    await store.putMetadata("b", "k", { "x-amz-meta-v": "new" });
    release();
    await reading;
    assert.deepEqual(await store.getMetadata("b", "k"), { "x-amz-meta-v": "new" });
    assert.equal(reads.metadata, 2);
  });

  it("gives each caller its own copy to change", async () => {
    const { store } = fakeStore();
    await store.putMetadata("b", "k", { "content-type": "text/plain" });
    const first = await store.getMetadata("b", "k");
    first["content-type"] = "changed by a caller";
    assert.deepEqual(await store.getMetadata("b", "k"), { "content-type": "text/plain" });
  });

  it("reads a bucket and its configurations once, and again after they change; a deleted bucket's objects are gone", async () => {
    const { store, reads } = fakeStore();
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await store.getBucket("b"), { name: "b" });
      assert.equal(await store.getSubresource("b", undefined, "cors"), null);
    }
    assert.deepEqual([reads.bucket, reads.subresource], [1, 1]);
    await store.putSubresource("b", undefined, { type: "cors" });
    assert.deepEqual(await store.getSubresource("b", undefined, "cors"), { type: "cors" });
    await store.deleteSubresource("b", undefined, "cors");
    assert.equal(await store.getSubresource("b", undefined, "cors"), null);
    await store.putMetadata("b", "k", { v: "1" });
    await store.getMetadata("b", "k");
    await store.deleteBucket("b");
    assert.equal(await store.getBucket("b"), null);
    await assert.rejects(store.getMetadata("b", "k"), { code: "ENOENT" });
    await store.putBucket("b");
    assert.deepEqual(await store.getBucket("b"), { name: "b" });
  });
});
