import assert from "node:assert/strict";
import { Readable } from "stream";
import { gzipSync } from "zlib";
import { peekGzip } from "../../archiver/sync/gzip-magic";

async function readAll(r: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const chunk of r) out.push(chunk as Buffer);
  return Buffer.concat(out);
}

/** A stream that hands out one chunk at a time, each on a later tick, like a network body. */
function trickle(chunks: Buffer[]): Readable {
  let i = 0;
  return new Readable({
    read() {
      setImmediate(() => this.push(i < chunks.length ? chunks[i++] : null));
    },
  });
}

describe("sync/gzip-magic", () => {
  const gz = gzipSync("hello\n");
  const cases: [string, Buffer[], boolean][] = [
    ["gzip in one chunk", [gz], true],
    ["gzip one byte at a time", [...gz].map((b) => Buffer.from([b])), true],
    ["plain text", [Buffer.from("2024-10-01 12:00 LOG: x\n")], false],
    ["only the first magic byte, then plain", [Buffer.from([0x1f]), Buffer.from("x")], false],
    ["a single byte", [Buffer.from([0x1f])], false],
    ["an empty body", [], false],
  ];
  for (const [name, chunks, expected] of cases) {
    it(`${name}: ${expected ? "gzip" : "not gzip"}, and the whole body is still there to read`, async () => {
      const peeked = await peekGzip(trickle(chunks));
      assert.equal(peeked.gzip, expected);
      assert.deepEqual(await readAll(peeked.body), Buffer.concat(chunks));
    });
  }

  it("a one-byte body that ends in the same tick as its byte arrives is still read whole", async () => {
    for (const body of [Readable.from([Buffer.from("\n")], { objectMode: false }), trickle([Buffer.from("\n")])]) {
      const peeked = await peekGzip(body);
      assert.equal(peeked.gzip, false);
      assert.deepEqual(await readAll(peeked.body), Buffer.from("\n"));
    }
  });

  it("a body that fails before two bytes came answers no and leaves the error to the reader", async () => {
    const body = new Readable({ read() { setImmediate(() => this.destroy(new Error("reset"))); } });
    const peeked = await peekGzip(body);
    assert.equal(peeked.gzip, false);
    await assert.rejects(readAll(peeked.body), /reset/);
  });
});
