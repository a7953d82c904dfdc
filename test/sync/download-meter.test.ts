import assert from "node:assert/strict";
import { createHash } from "crypto";
import { Readable, Writable } from "stream";
import { pipeline } from "stream/promises";
import { downloadMeter, type Measured } from "../../archiver/sync/download-meter";

function sink(): { stream: Writable; received: () => Buffer } {
  const out: Buffer[] = [];
  return { stream: new Writable({ write(c: Buffer, _e, done) { out.push(c); done(); } }), received: () => Buffer.concat(out) };
}

describe("sync/download-meter", () => {
  it("counts, reports progress, hashes the body as served and checks it before the stream ends", async () => {
    const chunks = ["line 1\n", "line", " 2\n"].map((s) => Buffer.from(s));
    const progress: number[] = [];
    let checked: Measured | undefined;
    let wroteBeforeCheck = 0;
    const out = sink();
    const meter = downloadMeter({
      hashRaw: true,
      onProgress: (n) => progress.push(n),
      check: async (m) => {
        checked = m;
        wroteBeforeCheck = out.received().length;
      },
    });
    await pipeline(Readable.from(chunks), meter.stream, out.stream);
    const all = Buffer.concat(chunks);
    assert.deepEqual(out.received(), all);
    assert.deepEqual(progress, [7, 11, 14]);
    assert.equal(meter.bytesRead(), 14);
    assert.deepEqual(checked, { bytes: 14, endsAtLineBreak: true, sha256: createHash("sha256").update(all).digest("hex") });
    assert.equal(wroteBeforeCheck, 14, "the check sees the whole body");
  });

  it("an empty body ends at a line break; one cut mid-line does not; no hash unless asked", async () => {
    const seen: Measured[] = [];
    for (const body of [[], [Buffer.from("a\nb")]]) {
      const meter = downloadMeter({ hashRaw: false, check: async (m) => void seen.push(m) });
      await pipeline(Readable.from(body), meter.stream, sink().stream);
    }
    assert.deepEqual(seen, [{ bytes: 0, endsAtLineBreak: true, sha256: undefined }, { bytes: 3, endsAtLineBreak: false, sha256: undefined }]);
  });

  it("a failed check fails the stream, so what reads it never sees a clean end", async () => {
    const meter = downloadMeter({ hashRaw: false, check: async () => { throw new Error("rotated during the copy"); } });
    let finished = false;
    const out = sink();
    out.stream.on("finish", () => (finished = true));
    await assert.rejects(pipeline(Readable.from([Buffer.from("x\n")]), meter.stream, out.stream), /rotated during the copy/);
    assert.equal(finished, false);
  });
});
