import assert from "node:assert/strict";
import { createHash } from "crypto";
import fc from "fast-check";
import { Readable, Writable } from "stream";
import { pipeline } from "stream/promises";
import { contentHasher, STREAM_BUFFER, type PreviousContent } from "../../archiver/sync/content-hasher";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function run(chunks: Buffer[], previous?: PreviousContent) {
  const hasher = contentHasher(previous);
  const out: Buffer[] = [];
  const sink = new Writable({ write(chunk: Buffer, _e, done) { out.push(chunk); done(); } });
  await pipeline(Readable.from(chunks), hasher.stream, sink);
  return { hasher, out };
}

describe("sync/content-hasher", () => {
  it("passes the content on unchanged in batches of at least STREAM_BUFFER bytes, the last one excepted", async () => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    const chunks = Array.from({ length: 40 }, (_, i) => Buffer.from(chunk.map((b) => (b + i) & 0xff)));
    const { hasher, out } = await run(chunks);
    const all = Buffer.concat(chunks);
    assert.deepEqual(Buffer.concat(out), all);
    assert.equal(out.length, Math.ceil(all.length / STREAM_BUFFER));
    for (const b of out.slice(0, -1)) assert.ok(b.length >= STREAM_BUFFER, `${b.length}`);
    assert.equal(hasher.bytes(), all.length);
    assert.equal(hasher.sha256(), sha(all));
  });

  it("refuses to give a hash before the stream ended", () => {
    assert.throws(() => contentHasher().sha256(), /before the stream ended/);
  });

  it("property: hash and size of any chunking; prefixMatches exactly when the content starts with the previous one", async () => {
    const chunksArb = fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 8 }).map((cs) => cs.map((c) => Buffer.from(c)));
    await fc.assert(
      fc.asyncProperty(chunksArb, fc.nat(400), fc.boolean(), async (chunks, cut, tamper) => {
        const all = Buffer.concat(chunks);
        let prev = all.subarray(0, Math.min(cut, all.length + 3));
        if (prev.length > all.length) prev = Buffer.concat([all, Buffer.from("more")]);
        if (tamper && prev.length > 0) prev = Buffer.from(prev.map((b, i) => (i === 0 ? b ^ 1 : b)));
        const { hasher, out } = await run(chunks, { bytes: prev.length, sha256: sha(prev) });
        assert.deepEqual(Buffer.concat(out), all);
        assert.equal(hasher.sha256(), sha(all));
        assert.equal(hasher.bytes(), all.length);
        assert.equal(hasher.prefixMatches(), prev.length <= all.length && all.subarray(0, prev.length).equals(prev));
      }),
      { numRuns: 200 },
    );
  });

  it("without a previous version nothing matches", async () => {
    const { hasher } = await run([Buffer.from("abc")]);
    assert.equal(hasher.prefixMatches(), false);
  });
});
