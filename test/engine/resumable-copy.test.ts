/**
 * Files larger than one run can copy: each run stops at a part boundary, records its upload beside the state,
 * and the next run continues it. Parts are lowered to 64 KiB (S3's minimum with them, as s3rver does not
 * enforce it) so that a few MiB take many parts and many runs. The stop comes from the run's signal, fired as
 * a chosen UploadPart arrives: the same signal the deadline fires (test/engine/stop.test.ts covers the deadline).
 */
import { strict as assert } from "assert";
import { createHash, randomBytes } from "crypto";
import { gunzipSync } from "zlib";
import { uploadRecordKey } from "../../archiver/layout/upload-record-key";
import type { SyncReport } from "../../archiver/report";
import { parseRecords } from "../../archiver/s3/upload-record";
import { DEADLINE_REASON } from "../../archiver/sync/stop";
import type { FakeRdsOptions } from "../../local-aws/fake-rds";
import { BUCKET, HOUR, startHarness, T0, type Harness } from "./harness";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const NAME = "error/postgresql.log.2024-10-01-00";
const KEY = "db1/error/2024/10/01/00/db1/postgresql.log.2024-10-01-00.gz";
const LIMITS = { partBytes: 64 * 1024, minPartBytes: 1024 };

/** Log lines of random hex: about 2:1 under gzip, so 3 MiB take some 25 parts of 64 KiB. */
function hexLines(bytes: number): Buffer {
  const hex = randomBytes(bytes / 2).toString("hex");
  return Buffer.from(hex.replace(/(.{99})./g, "$1\n").slice(0, bytes - 1) + "\n");
}

const isUploadPart = (r: { method: string; query: string }) => r.method === "PUT" && /(^|&)partNumber=/.test(r.query);
const creates = (h: Harness) => h.s3.requests.filter((r) => r.method === "POST" && /(^|&)uploads(=|&|$)/.test(r.query)).length;
const records = async (h: Harness) => {
  const text = await h.s3.getText(BUCKET, uploadRecordKey("db1", "db1")).catch(() => undefined);
  return parseRecords(text).uploads;
};
/** The one upload a stopped run left recorded. */
const theRecord = async (h: Harness) => {
  const all = Object.values(await records(h));
  assert.equal(all.length, 1, "the stopped copy left its upload recorded");
  return all[0];
};

/** Resolves once `condition` holds, polling; fails after `ms`. */
async function until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  for (const started = Date.now(); !condition(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
  }
}

describe("resumable copies (in-process): a file larger than one run can copy", function () {
  this.timeout(60_000);
  let h: Harness;
  afterEach(async () => h?.stop());

  async function start(rds: FakeRdsOptions = {}, content = hexLines(3 * 1024 * 1024)): Promise<Buffer> {
    h = await startHarness(rds);
    h.rds.addInstance("db1");
    h.rds.putFile("db1", { name: NAME, lastWritten: T0 + 10, content });
    return content;
  }

  /** One run stopped as its `parts`-th UploadPart arrives (the part itself completes). */
  async function runStoppedAfter(parts: number, settings: { resumeWithRange?: boolean } = {}, now = T0 + 2 * HOUR, s3Limits = LIMITS): Promise<SyncReport> {
    const stop = new AbortController();
    let seen = 0;
    h.s3.onRequest = (r) => {
      if (isUploadPart(r) && ++seen === parts) stop.abort(DEADLINE_REASON);
    };
    try {
      return await h.sync({ instances: ["db1"], ...settings }, { now: () => now, signal: stop.signal, s3Limits });
    } finally {
      h.s3.onRequest = undefined;
    }
  }

  async function assertArchived(content: Buffer): Promise<void> {
    const [object] = (await h.s3.listAll(BUCKET)).filter((o) => o.key === KEY);
    assert.ok(object, "the object exists");
    assert.equal(object.metadata.sha256, sha(content));
    assert.equal(object.metadata.bytes, String(content.length));
    assert.ok(gunzipSync(await h.s3.getBytes(BUCKET, KEY)).equals(content), "the members decompress to exactly the original bytes");
    assert.deepEqual(await h.s3.openUploads(BUCKET), [], "no upload stays open");
    assert.deepEqual(await records(h), {}, "the record is dropped");
  }

  for (const honourRange of [true, false]) {
    const how = honourRange ? "RDS honouring Range: each run downloads only the rest" : "RDS ignoring Range: each run skips the prefix, checked by its hash";
    it(`finishes across many runs with default settings, each continuing the recorded upload; ${how}`, async () => {
      const content = await start({ honourRange });
      const offsets: number[] = [];
      let runs = 0;
      for (;;) {
        const downloadsBefore = h.rds.requests.filter((r) => r.action === "download").length;
        const report = await runStoppedAfter(5);
        runs++;
        assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
        const downloads = h.rds.requests.filter((r) => r.action === "download").slice(downloadsBefore);
        assert.equal(downloads.length, 1, "one download per run");
        if (offsets.length > 0) {
          assert.equal(downloads[0].range, `bytes=${offsets[offsets.length - 1]}-`, "a resumed copy always asks for the rest by Range");
          assert.equal(downloads[0].status, honourRange ? 206 : 200);
        } else {
          assert.equal(downloads[0].range, undefined, "a fresh copy asks for the whole file");
        }
        if (report.instances[0].copied.length === 1) break;
        assert.match(report.instances[0].deferred[0].reason, /its first \d+ bytes are stored in an open upload/);
        const record = await theRecord(h);
        offsets.push(record.parts[record.parts.length - 1].rawEnd);
        assert.equal(record.hashState?.bytes, offsets[offsets.length - 1], "a file of many parts keeps the hash state at its offset");
        assert.equal((await h.s3.listAll(BUCKET)).filter((o) => o.key === KEY).length, 0, "nothing visible before the end");
        assert.ok(runs < 20, "the copy makes progress");
      }
      assert.ok(runs >= 3, `${runs} runs`);
      assert.ok(offsets.every((o, i) => i === 0 || o > offsets[i - 1]), `each run goes further: ${offsets.join(", ")}`);
      assert.equal(creates(h), 1, "one multipart upload for the whole file");
      await assertArchived(content);
    });
  }

  it("a file below the hash-state threshold keeps no state: a resumed copy downloads and hashes its prefix again", async () => {
    const content = await start({ honourRange: true }, hexLines(1536 * 1024));
    const limits = { partBytes: 512 * 1024, minPartBytes: 1024 }; // 1.5 MiB: under 4 parts of 512 KiB
    await runStoppedAfter(1, {}, T0 + 2 * HOUR, limits);
    const record = await theRecord(h);
    assert.equal(record.parts.length, 1, "the stop came before the last part");
    assert.equal(record.hashState, undefined, "no pure-JS state for a file this small");
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 3 * HOUR, s3Limits: limits });
    assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
    const resumed = h.rds.requests.filter((r) => r.action === "download").at(-1)!;
    assert.deepEqual([resumed.range, resumed.status, resumed.bytes], [undefined, 200, content.length]);
    assert.equal(creates(h), 1, "the recorded upload is continued");
    await assertArchived(content);
  });

  it("a stop that comes once the download has been read to its end still ends the copy at its stored parts, not after the last", async () => {
    const content = await start({ honourRange: true }, hexLines(1536 * 1024));
    const limits = { partBytes: 512 * 1024, minPartBytes: 1024 }; // two parts: the last goes up after the download has ended
    const stop = new AbortController();
    let read = 0;
    // The first part is held until the whole body has been read, and a while longer for the copy to compress its
    // rest; then the deadline comes. Only the last part is left to send: a copy that ignored the stop would finish.
    h.s3.injectFault({
      matches: (r) => r.method === "PUT" && r.query.partNumber === "1",
      times: 1,
      before: async () => {
        await until(() => read === content.length, "the whole body read");
        await new Promise((r) => setTimeout(r, 300));
        stop.abort(DEADLINE_REASON);
      },
    });
    const report = await h.sync(
      { instances: ["db1"] },
      { now: () => T0 + 2 * HOUR, signal: stop.signal, s3Limits: limits, onEvent: (e) => void (e.type === "progress" && (read = e.bytesRead)) },
    );
    assert.deepEqual(report.instances[0].copied, [], "the stopped copy did not finish");
    assert.match(report.instances[0].deferred[0].reason, /its first \d+ bytes are stored in an open upload/);
    assert.equal(h.s3.requests.filter(isUploadPart).length, 1, "no part is sent after the stop");
    assert.equal((await theRecord(h)).parts.length, 1);
    const next = await h.sync({ instances: ["db1"] }, { now: () => T0 + 3 * HOUR, s3Limits: limits });
    assert.equal(next.ok, true, JSON.stringify(next.instances[0]));
    assert.equal(creates(h), 1, "the recorded upload is continued");
    await assertArchived(content);
  });

  it("resumeWithRange=false: no state is kept and no Range is sent, even where RDS would honour it", async () => {
    const content = await start({ honourRange: true });
    await runStoppedAfter(4, { resumeWithRange: false });
    const record = await theRecord(h);
    assert.equal(record.hashState, undefined);
    const report = await h.sync({ instances: ["db1"], resumeWithRange: false }, { now: () => T0 + 3 * HOUR, s3Limits: LIMITS });
    assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
    const resumed = h.rds.requests.filter((r) => r.action === "download").at(-1)!;
    assert.deepEqual([resumed.range, resumed.status, resumed.bytes], [undefined, 200, content.length]);
    await assertArchived(content);
  });

  it("a file rewritten between runs (listed size changed) is started over: the old upload aborted, nothing stitched", async () => {
    await start();
    await runStoppedAfter(3);
    const old = await theRecord(h);
    const rewritten = hexLines(2 * 1024 * 1024);
    h.rds.putFile("db1", { name: NAME, lastWritten: T0 + 20, content: rewritten });
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 3 * HOUR, s3Limits: LIMITS });
    assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
    assert.ok(h.s3.requests.some((r) => r.method === "DELETE" && r.query.includes(`uploadId=${old.uploadId}`)), "the old upload is aborted");
    assert.equal(creates(h), 2);
    await assertArchived(rewritten);
  });

  it("a prefix rewritten under the same size and LastWritten is caught by its hash (node:crypto, beside the saved state) and started over", async () => {
    const content = await start();
    await runStoppedAfter(3);
    assert.ok((await theRecord(h)).hashState, "the resumed copy would continue from the saved state");
    const changed = Buffer.from(content);
    changed.write("REWRITTEN", 100);
    h.rds.putFile("db1", { name: NAME, lastWritten: T0 + 10, content: changed });
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 3 * HOUR, s3Limits: LIMITS });
    assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
    assert.equal(creates(h), 2, "a new upload, not the recorded one");
    await assertArchived(changed);
  });

  it("a record whose upload is gone (aborted by a lifecycle rule) is dropped and the file copied whole", async () => {
    const content = await start();
    await runStoppedAfter(3);
    const record = await theRecord(h);
    const { AbortMultipartUploadCommand } = await import("@aws-sdk/client-s3");
    await h.s3.client().send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: record.key, UploadId: record.uploadId }));
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 3 * HOUR, s3Limits: LIMITS });
    assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
    await assertArchived(content);
  });

  it("the stale-upload sweep spares a recorded upload, however old, and still aborts an orphan beside it", async () => {
    const content = await start();
    await runStoppedAfter(3);
    const record = await theRecord(h);
    const { CreateMultipartUploadCommand } = await import("@aws-sdk/client-s3");
    const orphanKey = "db1/error/2024/10/01/00/db1/orphan.gz";
    await h.s3.client().send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: orphanKey }));
    // Two days later, by the run's clock: both uploads are older than the sweep's day.
    const report = await h.sync({ instances: ["db1"] }, { now: () => Date.now() + 2 * 24 * HOUR, s3Limits: LIMITS });
    assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
    assert.deepEqual(report.staleUploadsAborted, [orphanKey]);
    assert.ok(!h.s3.requests.some((r) => r.method === "DELETE" && r.query.includes(`uploadId=${record.uploadId}`)), "the recorded upload is not aborted");
    assert.equal(creates(h), 2, "the first run's upload and the orphan: the recorded one was continued, not started again");
    await assertArchived(content);
  });

  for (const honourRange of [true, false]) {
    it(`by default, asks for the rest by Range; ${honourRange ? "a 206 skips the prefix" : "a 200 falls back to skipping the prefix"}`, async () => {
      const content = await start({ honourRange });
      await runStoppedAfter(4);
      const record = await theRecord(h);
      assert.ok(record.hashState, "the record holds the hash state at its offset");
      const offset = record.parts[record.parts.length - 1].rawEnd;
      const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 3 * HOUR, s3Limits: LIMITS });
      assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
      const resumed = h.rds.requests.filter((r) => r.action === "download").at(-1)!;
      assert.equal(resumed.range, `bytes=${offset}-`);
      assert.equal(resumed.status, honourRange ? 206 : 200);
      assert.equal(resumed.bytes, honourRange ? content.length - offset : content.length);
      await assertArchived(content);
    });
  }
});
