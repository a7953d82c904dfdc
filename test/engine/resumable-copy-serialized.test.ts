/**
 * Resumable copies as `pulumi up` ships them: the serialized sync function in host processes. One invocation
 * gets too little time for a file and stops at a part boundary, and one is SIGKILLed mid-copy; the next
 * invocation continues the recorded upload in both cases. Parts are S3's real 8 MiB here (the serialized
 * handler takes no lowered limits), so the file is random bytes that gzip cannot shrink. A file larger than
 * two invocations can copy finishes with default settings whether or not RDS honours Range.
 */
import { strict as assert } from "assert";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { createHash, randomBytes } from "crypto";
import { gunzipSync } from "zlib";
import { uploadRecordKey } from "../../archiver/layout/upload-record-key";
import { parseRecords } from "../../archiver/s3/upload-record";
import { DEADLINE_MARGIN_MS, DEADLINE_REASON } from "../../archiver/sync/stop";
import type { SyncReport } from "../../archiver/report";
import { BUCKET, HOUR, startHarness, T0, type Harness } from "./harness";
import type { S3RequestView } from "../../local-aws/local-s3";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const NAME = "trace/big.trc";
const KEY = "db1/trace/2024/10/01/00/db1/big.trc.gz";
const MiB = 1024 * 1024;

const isUploadPart = (r: { method: string; query: string }) => r.method === "PUT" && /(^|&)partNumber=/.test(r.query);
const creates = (h: Harness) => h.s3.requests.filter((r) => r.method === "POST" && /(^|&)uploads(=|&|$)/.test(r.query)).length;
const partsStored = (h: Harness) => h.s3.requests.filter((r) => isUploadPart(r) && r.status === 200).length;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const downloads = (h: Harness) => h.rds.requests.filter((r) => r.action === "download").length;

/** Resolves once `condition` holds, polling; fails after `ms`. */
async function until(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  for (const started = Date.now(); !condition(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
  }
}

/**
 * A run whose download stalls: once S3 has stored `parts` of its parts, its remaining time drops below the margin
 * kept for stopping (as if the stall had lasted that long), and the run stops.
 */
async function syncUntilTimeRunsOut(h: Harness, parts: number): Promise<SyncReport> {
  let timeLeft = 900_000;
  const storedBefore = partsStored(h);
  let ended = false;
  const run = h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR, timeLeftMs: () => timeLeft }).finally(() => (ended = true));
  await until(() => ended || partsStored(h) >= storedBefore + parts, `${parts} parts stored`);
  timeLeft = DEADLINE_MARGIN_MS - 1_000;
  return run;
}

describe("resumable copies (serialized): the next invocation continues a copy its predecessor could not finish", function () {
  this.timeout(180_000);
  let h: Harness;
  const content = randomBytes(32 * MiB); // four 8 MiB parts
  before(async () => {
    h = await startHarness({}, "serialized");
    h.rds.addInstance("db1");
  });
  after(async () => h?.stop());
  beforeEach(async () => {
    for (const o of await h.s3.listAll(BUCKET)) await h.s3.client().send(new DeleteObjectCommand({ Bucket: BUCKET, Key: o.key }));
    h.rds.putFile("db1", { name: NAME, lastWritten: T0 + 10, content });
  });

  async function recorded() {
    return Object.values(parseRecords(await h.s3.getText(BUCKET, uploadRecordKey("db1", "db1"))).uploads);
  }

  async function assertFinishedByNextInvocation(expectDownload = true, expected = content): Promise<void> {
    const createdBefore = creates(h);
    const downloadsBefore = h.rds.requests.filter((r) => r.action === "download").length;
    const next = await h.sync({ instances: ["db1"] }, { now: () => T0 + 3 * HOUR });
    assert.equal(next.ok, true, JSON.stringify(next.instances[0]));
    assert.deepEqual(next.instances[0].copied.map((c) => c.file), [NAME], JSON.stringify(next.instances[0]));
    assert.equal(creates(h), createdBefore, "the recorded upload is continued, not started again");
    const downloaded = h.rds.requests.filter((r) => r.action === "download").length - downloadsBefore;
    assert.equal(downloaded, expectDownload ? 1 : 0, expectDownload ? "one download to continue" : "an object completed already is only labelled");
    const [object] = (await h.s3.listAll(BUCKET)).filter((o) => o.key === KEY);
    assert.equal(object.metadata.sha256, sha(expected));
    assert.ok(gunzipSync(await h.s3.getBytes(BUCKET, KEY)).equals(expected));
    assert.deepEqual(await h.s3.openUploads(BUCKET), []);
    assert.deepEqual(await recorded(), []);
  }

  it("an invocation whose time runs out stops after its stored parts, and the next continues from them", async () => {
    // The download stalls halfway, so the first invocation certainly stores a part and then runs out of time.
    h.rds.injectFault({ on: "download", kind: "stall-mid-body", file: NAME });
    const first = await syncUntilTimeRunsOut(h, 1);
    assert.equal(first.stopped, "the invocation's time ran out");
    assert.match(first.instances[0].deferred[0].reason, /its first \d+ bytes are stored in an open upload/);
    const [record] = await recorded();
    assert.ok(record.parts.length >= 1, "at least one part is recorded");
    assert.deepEqual((await h.s3.openUploads(BUCKET)).map((u) => u.uploadId), [record.uploadId]);
    assert.equal((await h.s3.listAll(BUCKET)).filter((o) => o.key === KEY).length, 0, "nothing visible");
    await assertFinishedByNextInvocation();
  });

  for (const honourRange of [true, false]) {
    it(`with default settings, a file larger than two invocations can copy finishes over several; RDS ${honourRange ? "honouring Range (206)" : "ignoring Range (200)"}`, async () => {
      const big = randomBytes(40 * MiB);
      h.rds.putFile("db1", { name: NAME, lastWritten: T0 + 10, content: big });
      h.rds.honourRange = honourRange;
      try {
        let offset = 0;
        let invocations = 0;
        for (;;) {
          // Each invocation gets 20 MiB past its offset (two parts), then the body stalls until the invocation's time runs out.
          const stalls = offset + 20 * MiB < big.length;
          if (stalls) h.rds.injectFault({ on: "download", kind: "stall-mid-body", file: NAME, atByte: offset + 20 * MiB });
          const report = stalls ? await syncUntilTimeRunsOut(h, 2) : await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR });
          invocations++;
          const download = h.rds.requests.filter((r) => r.action === "download").at(-1)!;
          if (offset > 0) {
            assert.equal(download.range, `bytes=${offset}-`, "a resumed copy asks for the rest by Range, with no setting");
            assert.equal(download.status, honourRange ? 206 : 200);
          }
          if (!stalls) {
            assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
            assert.deepEqual(report.instances[0].copied.map((c) => c.file), [NAME]);
            break;
          }
          assert.equal(report.stopped, "the invocation's time ran out");
          const [record] = await recorded();
          const reached = record.parts[record.parts.length - 1].rawEnd;
          assert.ok(reached > offset, `invocation ${invocations} stored a part past ${offset}`);
          assert.equal(record.hashState?.bytes, reached, "the record holds the hash state at its offset");
          offset = reached;
        }
        assert.ok(invocations >= 3, `${invocations} invocations`);
        const [object] = (await h.s3.listAll(BUCKET)).filter((o) => o.key === KEY);
        assert.equal(object.metadata.sha256, sha(big));
        assert.ok(gunzipSync(await h.s3.getBytes(BUCKET, KEY)).equals(big), "the object decompresses to exactly the original bytes");
        assert.deepEqual(await h.s3.openUploads(BUCKET), []);
        assert.deepEqual(await recorded(), []);
      } finally {
        h.rds.honourRange = false;
      }
    });
  }

  it("a deadline that comes once the download has been read to its end still ends the copy at its stored parts, not after the last", async () => {
    const twoParts = content.subarray(0, 12 * MiB);
    h.rds.putFile("db1", { name: NAME, lastWritten: T0 + 10, content: twoParts });
    const downloadsBefore = downloads(h);
    const partsBefore = h.s3.requests.filter(isUploadPart).length;
    let timeLeft = 900_000;
    // The first part is held until RDS has sent the whole body, and a while longer for the host to read and compress
    // its rest; then the time runs out, and the part is let go once the host has seen that (it looks every 500 ms).
    // Only the last part is left to send: a copy that ignored the deadline would finish.
    h.s3.injectFault({
      matches: (r) => r.method === "PUT" && r.query.partNumber === "1",
      times: 1,
      before: async () => {
        await until(() => downloads(h) > downloadsBefore, "the whole body sent");
        await sleep(1_000);
        timeLeft = DEADLINE_MARGIN_MS - 1_000;
        await sleep(2_000);
      },
    });
    const first = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR, timeLeftMs: () => timeLeft });
    assert.equal(first.stopped, DEADLINE_REASON);
    assert.deepEqual(first.instances[0].copied, [], "the stopped copy did not finish");
    assert.match(first.instances[0].deferred[0].reason, /its first \d+ bytes are stored in an open upload/);
    assert.equal(h.s3.requests.filter(isUploadPart).length - partsBefore, 1, "no part is sent after the deadline");
    const [record] = await recorded();
    assert.equal(record.parts.length, 1);
    await assertFinishedByNextInvocation(true, twoParts);
  });

  it("an invocation SIGKILLed mid-copy leaves only a recorded upload, which the next invocation continues", async () => {
    let killing: Promise<void> | undefined;
    let parts = 0;
    h.s3.onRequest = (r) => {
      if (isUploadPart(r) && ++parts === 3 && !killing) killing = h.killBusyHosts();
    };
    await assert.rejects(h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR }), /HostExited|exited/);
    await killing;
    h.s3.onRequest = undefined;
    const [record] = await recorded();
    assert.ok(record.parts.length >= 1, "the first part was recorded before the kill");
    assert.equal((await h.s3.listAll(BUCKET)).filter((o) => o.key === KEY).length, 0, "nothing visible");
    await assertFinishedByNextInvocation();
  });

  it("an invocation SIGKILLed after completing the upload, before labelling the object, leaves the labelling to the next", async () => {
    // Two parts are enough: a completed upload is labelled the same way whatever its size.
    const twoParts = content.subarray(0, 12 * MiB);
    h.rds.putFile("db1", { name: NAME, lastWritten: T0 + 10, content: twoParts });
    const isMetadataCopy = (r: S3RequestView) => r.method === "PUT" && r.path.endsWith("big.trc.gz") && r.headers["x-amz-copy-source"] !== undefined;
    // The host dies while its metadata copy is on the wire, and S3 never serves that copy: the object stays unlabelled.
    h.s3.injectFault({ matches: isMetadataCopy, before: () => h.killBusyHosts(), code: "InternalError", times: 1 });
    await assert.rejects(h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR }), /HostExited|exited/);
    assert.equal((await h.s3.listAll(BUCKET)).find((o) => o.key === KEY)?.metadata.sha256, undefined, "completed, not labelled");
    const [record] = await recorded();
    assert.ok(record.completed, "the record says the object is complete");
    await assertFinishedByNextInvocation(false, twoParts);
  });
});
