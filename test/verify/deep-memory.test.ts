/**
 * --deep on a 256 MiB object: the content streams through gunzip and sha256, so the process's memory does not grow
 * with it. The object is 256 MiB of plain text (under 2 MB stored: repetitive lines compress well), so what is
 * measured is the plain content, the part a buffering reader would hold; the bound is well under it.
 */
import { strict as assert } from "assert";
import { createHash } from "crypto";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { gzipSync } from "zlib";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { runVerify } from "../../archiver/verify/run-verify";
import { BUCKET, startHarness, T0, type Harness } from "../engine/harness";

const MiB = 1024 ** 2;

/**
 * `bytes` of log lines and the plain content's sha256. Stored as the engine stores a file, one gzip member after
 * another: here each member is the same MiB of lines, compressed once.
 */
function bigObject(bytes: number): { body: Buffer; sha256: string } {
  const line = Buffer.from(`${new Date(T0).toISOString()} 12345 [Note] a log line that repeats, as log lines do .........\n`);
  const chunk = Buffer.concat(Array.from({ length: Math.floor(MiB / line.length) }, () => line));
  const member = gzipSync(chunk, { level: 1 });
  const hash = createHash("sha256");
  const members: Buffer[] = [];
  for (let left = bytes; left > 0; left -= chunk.length) {
    const piece = chunk.subarray(0, Math.min(chunk.length, left));
    hash.update(piece);
    members.push(piece.length === chunk.length ? member : gzipSync(piece, { level: 1 }));
  }
  return { body: Buffer.concat(members), sha256: hash.digest("hex") };
}

describe("verify --deep memory", function () {
  this.timeout(180_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
    h.rds.addInstance("db1");
  });
  after(async () => h.stop());

  it("reads a 256 MiB object back with memory flat: the process grows by far less than the object", async () => {
    const size = 256 * MiB;
    const { body, sha256 } = bigObject(size);
    const key = "db1/error/2024/10/01/00/db1/big.log.gz";
    await h.s3.client().send(new PutObjectCommand({
      Bucket: BUCKET, Key: key, Body: body,
      Metadata: { "rds-instance": "db1", "rds-log-file": "error/big.log", "rds-size": String(size), "rds-last-written": String(T0), bytes: String(size), sha256 },
    }));
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const r = await runVerify({ bucket: BUCKET, instances: ["db1"], clusters: [], deep: true, digests: false }, { sdk: loadAwsSdk(), env: h.env, now: () => T0 });
      assert.equal(r.instances[0].objectsRead, 1);
      assert.deepEqual(r.instances[0].findings, []);
    } finally {
      clearInterval(sampler);
    }
    const grew = peak - baseline;
    console.log(`      rss grew ${(grew / MiB).toFixed(1)} MiB reading ${size / MiB} MiB of content (${(body.length / MiB).toFixed(1)} MiB stored)`);
    assert.ok(grew < 96 * MiB, `rss grew ${(grew / MiB).toFixed(1)} MiB`);
  });
});
