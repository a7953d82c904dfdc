import { strict as assert } from "assert";
import { createHash, randomBytes } from "crypto";
import { gunzipSync } from "zlib";
import { stateKey } from "../../archiver/layout/state-key";
import { uploadRecordKey } from "../../archiver/layout/upload-record-key";
import { parseRecords } from "../../archiver/s3/upload-record";
import { parseManifest } from "../../archiver/planning/manifest";
import type { SyncEvent } from "../../archiver/report";
import { BUCKET, HOUR, lines, startHarness, T0, type Harness } from "./harness";

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

/** Resolves once `condition` holds, polling; fails after `ms`. */
async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  for (const started = Date.now(); !condition(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
  }
}

const recordKey = uploadRecordKey("db1", "db1");

describe("a run stopped mid-copy leaves nothing visible and defers, not fails; at the deadline it keeps its stored parts for the next run", function () {
  let h: Harness;
  const big = randomBytes(24 * 1024 * 1024); // incompressible: three 8 MiB parts
  const small = lines("small", 100);
  beforeEach(async () => {
    h = await startHarness();
    h.rds.addInstance("db1");
    h.rds.putFile("db1", { name: "trace/big.trc", lastWritten: T0 + HOUR, content: big });
    h.rds.putFile("db1", { name: "trace/small.trc", lastWritten: T0 + HOUR - 5, content: Buffer.from(small) });
  });
  afterEach(async () => h.stop());

  // The big download stalls halfway, so the copy is certainly in flight, its first part uploaded, when the run stops.
  const stallBigDownload = () => h.rds.injectFault({ on: "download", kind: "stall-mid-body", file: "trace/big.trc" });
  const partUploaded = () => h.s3.requests.some((r) => r.method === "PUT" && r.query.includes("partNumber") && r.status === 200);
  const manifest = async () => parseManifest(await h.s3.getText(BUCKET, stateKey("db1", "db1")));

  it("on a stop signal: aborts the multipart upload, saves the finished copies, reports the file deferred", async () => {
    stallBigDownload();
    const stop = new AbortController();
    const events: SyncEvent[] = [];
    const run = h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR, signal: stop.signal, onEvent: (e) => events.push(e) });
    await until(() => partUploaded() && events.some((e) => e.type === "copied"), "a part and the small copy");
    stop.abort("interrupted by SIGINT");
    const report = await run;

    assert.equal(report.stopped, "interrupted by SIGINT");
    assert.equal(report.ok, true, "a deferred file is not a failure");
    assert.deepEqual(report.instances[0].failed, []);
    assert.deepEqual(report.instances[0].deferred.map((d) => d.file), ["trace/big.trc"]);
    assert.match(report.instances[0].deferred[0].reason, /^interrupted by SIGINT during the copy/);
    assert.equal(report.totals.deferred, 1);
    assert.equal(report.instances[0].oldestUnarchived, T0 + HOUR, "a deferred file still counts towards archive lag");
    assert.deepEqual(events.filter((e) => e.type === "deferred").map((e) => e.type === "deferred" && e.file), ["trace/big.trc"]);

    assert.ok(h.s3.requests.some((r) => r.method === "DELETE" && r.query.includes("uploadId")), "AbortMultipartUpload was sent");
    assert.deepEqual(await h.s3.openUploads(BUCKET), []);
    const visible = (await h.s3.listAll(BUCKET)).map((o) => o.key).filter((k) => !k.startsWith("_state/"));
    assert.deepEqual(visible, ["db1/trace/2024/10/01/00/db1/small.trc.gz"]);
    assert.deepEqual(Object.values((await manifest()).entries).map((e) => e.file), ["trace/small.trc"], "the finished copy is saved");

    const next = await h.sync({ instances: ["db1"] }, { now: () => T0 + 3 * HOUR });
    assert.equal(next.ok, true);
    assert.deepEqual(next.instances[0].copied.map((c) => c.file), ["trace/big.trc"]);
    const [object] = (await h.s3.listAll(BUCKET)).filter((o) => o.key.endsWith("big.trc.gz"));
    assert.equal(object.metadata.sha256, sha(big));
  });

  it("at the deadline: stops the copy in flight at a part, records its upload, and lists what it did not start", async () => {
    h.rds.addInstance("db2");
    h.rds.putFile("db2", { name: "trace/other.trc", lastWritten: T0 + HOUR, content: Buffer.from(lines("o", 10)) });
    stallBigDownload();
    let remaining = 600_000;
    const run = h.sync({ instances: ["db1", "db2"], concurrency: 1 }, { now: () => T0 + 2 * HOUR, timeLeftMs: () => remaining });
    await until(partUploaded, "a part");
    remaining = 10_000; // below the margin kept for aborting and saving
    const report = await run;

    assert.equal(report.stopped, "the invocation's time ran out");
    assert.equal(report.ok, true);
    const byInstance = Object.fromEntries(report.instances.map((i) => [i.instance, i.deferred.map((d) => d.file)]));
    assert.deepEqual(byInstance, { db1: ["trace/big.trc", "trace/small.trc"], db2: ["trace/other.trc"] });
    assert.equal(report.instances[1].oldestUnarchived, T0 + HOUR, "an instance reached after the stop still reports its backlog");
    const open = await h.s3.openUploads(BUCKET);
    assert.deepEqual(open.map((u) => u.key), ["db1/trace/2024/10/01/01/db1/big.trc.gz"]);
    assert.deepEqual(Object.values(parseRecords(await h.s3.getText(BUCKET, recordKey)).uploads).map((r) => r.uploadId), [open[0].uploadId]);
    assert.deepEqual((await h.s3.listAll(BUCKET)).filter((o) => !o.key.startsWith("_state/")), []);
  });
});
