import { strict as assert } from "assert";
import { createHash, randomBytes } from "crypto";
import { gunzipSync, gzipSync } from "zlib";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { DEFAULTS, runSync } from "../../archiver";
import { createClients } from "../../archiver/aws-clients";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { DownloadError, openLogFileDownload } from "../../archiver/rds/download-log-file";
import { LEGACY_DOWNLOAD_RETIRED_AT } from "../../local-aws/fake-rds";
import type { S3RequestView } from "../../local-aws/local-s3";
import { BUCKET, HOUR, lines, RUNNERS, startHarness, T0, type Harness } from "./harness";

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

async function archived(h: Harness): Promise<Map<string, { text: string; metadata: Record<string, string> }>> {
  const out = new Map<string, { text: string; metadata: Record<string, string> }>();
  for (const o of await h.s3.listAll(BUCKET)) {
    // The archiver's own prefixes (state, digests, gaps) start with `_`; no archive key can.
    if (o.key.startsWith("_")) continue;
    out.set(o.key, { text: await h.s3.getText(BUCKET, o.key, { gunzip: true }), metadata: o.metadata });
  }
  return out;
}

/**
 * Another writer replaces db1's trace/big.trc object just before this run's first metadata copy request.
 * The copy must fail as PreconditionFailed and leave the other content unlabelled; the next run archives
 * the file again.
 */
async function assertCopyRefusesReplacedSource(h: Harness, isCopy: (r: S3RequestView) => boolean, maxCopyBytes?: number): Promise<void> {
  const key = "db1/trace/2024/10/01/00/db1/big.trc.gz";
  const other = gzipSync("another writer's content\n");
  h.s3.injectFault({
    matches: isCopy,
    before: async () => void (await h.s3.client().send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: other }))),
    times: 1,
  });
  const runtime = { now: () => T0 + 2 * HOUR, ...(maxCopyBytes ? { s3Limits: { maxCopyBytes } } : {}) };
  const raced = await h.sync({ instances: ["db1"] }, runtime);
  assert.deepEqual(raced.instances[0].failed.map((f) => [f.file, f.reason.split(":")[0]]), [["trace/big.trc", "PreconditionFailed"]]);
  const [kept] = (await h.s3.listAll(BUCKET)).filter((o) => o.key === key);
  assert.deepEqual(kept.metadata, {}, "the other writer's content must not get this run's sha256");
  assert.ok((await h.s3.getBytes(BUCKET, key)).equals(other));
  const next = await h.sync({ instances: ["db1"] }, { ...runtime, now: () => T0 + 3 * HOUR });
  assert.equal(next.ok, true, JSON.stringify(next.instances[0]));
  const [archivedAgain] = (await h.s3.listAll(BUCKET)).filter((o) => o.key === key);
  assert.equal(archivedAgain.metadata.bytes, String(12 * 1024 * 1024));
}

// Every case runs in-process and through the serialized sync function, except those that need a hook or a
// client only the in-process engine offers.
for (const runner of RUNNERS) describe(`sync engine (${runner}) against the fake RDS and s3rver`, function () {
  this.timeout(runner === "serialized" ? 120_000 : 60_000);
  const inProcessOnly = (runner === "in-process" ? it : () => undefined) as Mocha.TestFunction;
  const inProcessOnlySuite = (runner === "in-process" ? describe : () => undefined) as Mocha.SuiteFunction;
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({}, runner);
    h.rds.addInstance("db1");
  });
  afterEach(async () => h.stop());

  // Was a bug: the gzip peek read the only byte, the body ended meanwhile and could not take it back.
  it("archives a one-byte file whole", async () => {
    h.rds.putFile("db1", { name: "error/postgresql.log.2024-10-01-00", lastWritten: T0 + HOUR - 1, content: Buffer.from("\n") });
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR });
    assert.deepEqual(report.instances[0].copied.map((c) => [c.file, c.bytesRead]), [["error/postgresql.log.2024-10-01-00", 1]]);
    assert.deepEqual([...(await archived(h)).values()].map((a) => a.text), ["\n"]);
  });

  it("archives a closed file once, with its metadata, and leaves the active one", async () => {
    const closed = lines("pg00", 40);
    h.rds.putFile("db1", { name: "error/postgresql.log.2024-10-01-00", lastWritten: T0 + HOUR - 1, content: Buffer.from(closed) });
    h.rds.putFile("db1", { name: "error/postgresql.log.2024-10-01-01", lastWritten: T0 + HOUR + 10, content: Buffer.from("x\n") });
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + HOUR + 60_000 });
    assert.equal(report.ok, true);
    const objects = await archived(h);
    assert.deepEqual([...objects.keys()], ["db1/error/2024/10/01/00/db1/postgresql.log.2024-10-01-00.gz"]);
    const [{ text, metadata }] = objects.values();
    assert.equal(text, closed);
    assert.deepEqual(metadata, {
      "rds-instance": "db1",
      "rds-log-file": "error/postgresql.log.2024-10-01-00",
      "rds-size": String(Buffer.byteLength(closed)),
      "rds-last-written": String(T0 + HOUR - 1),
      bytes: String(Buffer.byteLength(closed)),
      sha256: sha(closed),
    });
    assert.deepEqual(report.instances[0].skipped.map((s) => s.file), ["error/postgresql.log.2024-10-01-01"]);
  });

  it("an idle run makes no PUT and one GET per instance", async () => {
    h.rds.addInstance("db2");
    for (const db of ["db1", "db2"]) {
      for (let hour = 0; hour < 30; hour++) {
        h.rds.putFile(db, { name: `slowquery/mysql-slowquery.log.${hour % 24}`, lastWritten: T0 + hour * HOUR + 5, content: Buffer.from(lines(`${db}-${hour}`, 3)) });
      }
    }
    const first = await h.sync({ instances: ["db1", "db2"] }, { now: () => T0 + 31 * HOUR });
    assert.equal(first.totals.copied, 48);
    h.s3.resetRequests();
    const idle = await h.sync({ instances: ["db1", "db2"] }, { now: () => T0 + 31 * HOUR + 300_000 });
    assert.equal(idle.ok, true);
    assert.equal(idle.totals.copied, 0);
    const requests = h.s3.requests.map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(requests.filter((r) => !r.startsWith("GET") && !r.startsWith("HEAD")), []);
    assert.deepEqual(requests.filter((r) => r.startsWith("GET")).sort(), [
      `GET /${BUCKET}/_state/db1/db1.json`,
      `GET /${BUCKET}/_state/db2/db2.json`,
    ]);
    assert.equal(requests.length, 3, requests.join(", ")); // + one HeadBucket per run
  });

  it("follows Marker through every page of a long listing", async () => {
    // Pages of 10 (RDS's default is 100): 25 files take three pages, as 250 would at the default.
    await h.stop();
    h = await startHarness({ pageSize: 10 }, runner);
    h.rds.addInstance("db1");
    for (let i = 0; i < 25; i++) {
      h.rds.putFile("db1", { name: `trace/t${String(i).padStart(3, "0")}.trc`, lastWritten: T0, content: Buffer.from(`trace ${i}\n`) });
    }
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR });
    assert.equal(report.instances[0].listed, 25);
    assert.equal(report.instances[0].copied.length, 25);
    assert.ok(h.rds.requests.filter((r) => r.action === "DescribeDBLogFiles").length >= 3);
  });

  it("expands a cluster into its current members at run time", async () => {
    h.rds.addInstance("aurora-1");
    h.rds.addInstance("aurora-2");
    h.rds.setCluster("aurora", ["aurora-1"]);
    const name = "audit/audit.log.0.2024-10-01-00-00.0";
    for (const db of ["aurora-1", "aurora-2"]) h.rds.putFile(db, { name, lastWritten: T0 + 100, content: Buffer.from(lines(db, 5)) });
    await h.sync({ clusters: ["aurora"] }, { now: () => T0 + 2 * HOUR });
    h.rds.setCluster("aurora", ["aurora-1", "aurora-2"]);
    const report = await h.sync({ clusters: ["aurora"], instances: ["aurora-2"] }, { now: () => T0 + 2 * HOUR });
    assert.deepEqual(report.instances.map((i) => [i.instance, i.group]), [["aurora-1", "aurora"], ["aurora-2", "aurora"]]);
    assert.deepEqual([...(await archived(h)).keys()].sort(), [
      "aurora/audit/2024/10/01/00/aurora-1/audit.log.0.2024-10-01-00-00.0.gz",
      "aurora/audit/2024/10/01/00/aurora-2/audit.log.0.2024-10-01-00-00.0.gz",
    ]);
  });

  it("reports an unknown instance or cluster with its AWS error code and syncs the rest", async () => {
    h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: T0, content: Buffer.from("a\n") });
    const report = await h.sync({ instances: ["missing-db", "db1"], clusters: ["missing-cluster"] }, { now: () => T0 + 2 * HOUR });
    assert.equal(report.ok, false);
    assert.equal(report.instances.find((i) => i.instance === "missing-db")?.error?.code, "DBInstanceNotFound");
    assert.equal(report.errors[0].target, "missing-cluster");
    assert.equal(report.errors[0].code, "DBClusterNotFoundFault");
    assert.equal(report.instances.find((i) => i.instance === "db1")?.copied.length, 1);
  });

  it("fails clearly on a missing bucket and writes nothing", async () => {
    h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: T0, content: Buffer.from("a\n") });
    const report = await h.sync({ instances: ["db1"], bucket: "no-such-bucket" }, { now: () => T0 + 2 * HOUR });
    assert.equal(report.ok, false);
    assert.deepEqual(report.errors.map((e) => [e.target, e.code]), [["no-such-bucket", "NoSuchBucket"]]);
    assert.equal(h.rds.requests.filter((r) => r.action === "download").length, 0);
  });

  it("retries 5xx and throttling, and a body cut mid-way leaves no object behind", async () => {
    const content = Buffer.from(lines("retry", 2000));
    h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: T0, content });
    h.rds.injectFault({ on: "describe", kind: "throttle", times: 2 });
    h.rds.injectFault({ on: "download", kind: "http500" });
    h.rds.injectFault({ on: "download", kind: "reset-mid-body" });
    h.rds.injectFault({ on: "download", kind: "truncate-body" });
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR });
    assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
    assert.deepEqual([...(await archived(h)).values()].map((o) => o.text === content.toString()), [true]);
    assert.equal(h.rds.requests.filter((r) => r.action === "download").length, 4);
  });

  it("asks again for a listing whose body arrived cut short or unreadable", async () => {
    const content = Buffer.from(lines("listed", 20));
    h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: T0, content });
    h.rds.injectFault({ on: "describe", kind: "truncate-body" });
    h.rds.injectFault({ on: "describe", kind: "reset-mid-body" });
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR });
    assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
    assert.deepEqual([...(await archived(h)).values()].map((o) => o.text), [content.toString()]);
  });

  it("a copy that keeps failing is reported, stores nothing, and succeeds on the next run", async () => {
    h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: T0, content: Buffer.from(lines("a", 500)) });
    h.rds.putFile("db1", { name: "trace/b.trc", lastWritten: T0, content: Buffer.from(lines("b", 5)) });
    h.rds.injectFault({ on: "download", kind: "reset-mid-body", times: 6, file: "trace/a.trc" });
    const first = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR });
    assert.equal(first.ok, false);
    assert.match(first.instances[0].failed[0].reason, /trace\/a\.trc|ECONNRESET|aborted|ended early/);
    assert.deepEqual([...(await archived(h)).keys()], ["db1/trace/2024/10/01/00/db1/b.trc.gz"]);
    const second = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR });
    assert.equal(second.ok, true);
    assert.deepEqual(second.instances[0].copied.map((c) => c.file), ["trace/a.trc"]);
  });

  /**
   * An audit chain of `active` and `.1` holding `old`; at the first download of server_audit.log.1, the chain rotates:
   * .1 -> .2, the active file -> .1, a new empty active file.
   */
  function auditChainRotatingAtFirstDownload(old: string, active: string): void {
    h.rds.putFile("db1", { name: "audit/server_audit.log", lastWritten: T0 + HOUR, content: Buffer.from(active) });
    h.rds.putFile("db1", { name: "audit/server_audit.log.1", lastWritten: T0 + 100, content: Buffer.from(old) });
    let rotated = false;
    h.rds.beforeDownload = (_instance, file) => {
      if (rotated || file !== "audit/server_audit.log.1") return;
      rotated = true;
      h.rds.renameFile("db1", "audit/server_audit.log.1", "audit/server_audit.log.2");
      h.rds.renameFile("db1", "audit/server_audit.log", "audit/server_audit.log.1");
      h.rds.putFile("db1", { name: "audit/server_audit.log", lastWritten: T0 + HOUR + 1, content: Buffer.alloc(0) });
    };
  }

  it("re-plans when a rotation renames a chain member during its download", async () => {
    const [old, active] = [lines("first", 20), lines("second", 20)];
    auditChainRotatingAtFirstDownload(old, active);
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR });
    assert.equal(report.ok, true);
    const texts = [...(await archived(h)).values()].map((o) => o.text).sort();
    assert.deepEqual(texts, [old, active].sort());
  });

  it("re-plans, rather than downloads again, when a rotation puts a smaller file under a chain member's name", async () => {
    const [old, active] = [lines("first", 40), lines("second", 5)];
    auditChainRotatingAtFirstDownload(old, active);
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR });
    assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
    assert.deepEqual([...(await archived(h)).values()].map((o) => o.text).sort(), [old, active].sort());
    // The shifted name once, then each file under its new name: no retries of the stale name.
    assert.equal(h.rds.requests.filter((r) => r.action === "download").length, 3);
  });

  it("two overlapping runs archive each file under one key", async () => {
    for (let hour = 0; hour < 6; hour++) {
      h.rds.putFile("db1", { name: `error/postgresql.log.2024-10-01-0${hour}`, lastWritten: T0 + hour * HOUR + 1, content: Buffer.from(lines(`h${hour}`, 30)) });
    }
    const [a, b] = await Promise.all([
      h.sync({ instances: ["db1"] }, { now: () => T0 + 7 * HOUR }),
      h.sync({ instances: ["db1"] }, { now: () => T0 + 7 * HOUR }),
    ]);
    assert.ok(a.ok && b.ok);
    const objects = await archived(h);
    assert.equal(objects.size, 6);
    const all = [...objects.values()].map((o) => o.text).join("");
    assert.equal(all.split("\n").length - 1, 6 * 30);
    const third = await h.sync({ instances: ["db1"] }, { now: () => T0 + 7 * HOUR });
    assert.ok(third.totals.copied <= 6);
    assert.equal((await archived(h)).size, 6);
  });

  it("archives the content of a .gz file RDS compressed, as plain text, once", async () => {
    const text = lines("compressed", 100);
    h.rds.putFile("db1", { name: "error/postgresql.log.2024-10-01-00", lastWritten: T0 + HOUR - 5, content: Buffer.from(text) });
    h.rds.putFile("db1", { name: "error/postgresql.log.2024-10-01-02", lastWritten: T0 + 2 * HOUR + 5, content: Buffer.from("x\n") });
    await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR + 60_000 });
    h.rds.removeFile("db1", "error/postgresql.log.2024-10-01-00");
    const gz = gzipSync(text);
    h.rds.putFile("db1", { name: "error/postgresql.log.2024-10-01-00.gz", lastWritten: T0 + HOUR - 5, content: gz });
    h.rds.putFile("db1", { name: "error/postgresql.log.2024-10-01-01.gz", lastWritten: T0 + 2 * HOUR - 5, content: gzipSync(lines("late", 3)) });
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR + 120_000 });
    assert.deepEqual(report.instances[0].copied.map((c) => c.file), ["error/postgresql.log.2024-10-01-01.gz"]);
    const objects = await archived(h);
    assert.equal(objects.get("db1/error/2024/10/01/00/db1/postgresql.log.2024-10-01-00.gz")?.text, text);
    assert.equal(objects.get("db1/error/2024/10/01/01/db1/postgresql.log.2024-10-01-01.gz")?.text, lines("late", 3));
  });

  it("streams a file larger than a part through a multipart upload with the final metadata", async () => {
    const big = randomBytes(18 * 1024 * 1024);
    h.rds.putFile("db1", { name: "trace/big.trc", lastWritten: T0, content: big });
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR });
    assert.equal(report.ok, true);
    assert.ok(h.s3.requests.some((r) => r.query.includes("uploads")), "expected a multipart upload");
    const [object] = (await h.s3.listAll(BUCKET)).filter((o) => !o.key.startsWith("_state/"));
    assert.equal(object.metadata.sha256, sha(big));
    assert.equal(object.metadata.bytes, String(big.length));
  });

  inProcessOnlySuite("an object larger than one CopyObject may copy (5 GiB; lowered here to 6 MiB in S3 and the engine)", () => {
    const MAX_COPY = 6 * 1024 * 1024;
    const name = "trace/big.trc";
    const big = randomBytes(12 * 1024 * 1024);
    const isPartCopy = (r: S3RequestView) => r.method === "PUT" && r.query.partNumber !== undefined && r.headers["x-amz-copy-source"] !== undefined;

    beforeEach(async () => {
      await h.stop();
      h = await startHarness({}, "in-process", { copyLimit: MAX_COPY });
      h.rds.addInstance("db1");
      h.rds.putFile("db1", { name, lastWritten: T0, content: big });
    });

    async function assertArchivedWhole(): Promise<void> {
      const [object] = (await h.s3.listAll(BUCKET)).filter((o) => !o.key.startsWith("_state/"));
      assert.ok(object.size > MAX_COPY, `the object is ${object.size} bytes`);
      assert.deepEqual(object.metadata, {
        "rds-instance": "db1",
        "rds-log-file": name,
        "rds-size": String(big.length),
        "rds-last-written": String(T0),
        bytes: String(big.length),
        sha256: sha(big),
      });
      assert.ok(gunzipSync(await h.s3.getBytes(BUCKET, object.key)).equals(big));
      assert.deepEqual(await h.s3.openUploads(BUCKET), []);
    }

    it("gets its bytes and sha256 through a multipart copy onto itself, in ranges within the limit", async () => {
      const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR, s3Limits: { maxCopyBytes: MAX_COPY } });
      assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
      await assertArchivedWhole();
      const completes = h.s3.requests.filter((r) => r.method === "POST" && /(^|&)uploadId=/.test(r.query));
      assert.equal(completes.length, 2, "one multipart upload of the body, one multipart copy for the metadata");
    });

    it("copies only the object this run stored: another upload to the key in between makes it fail, not mislabel that content", async () => {
      await assertCopyRefusesReplacedSource(h, isPartCopy, MAX_COPY);
      assert.deepEqual(await h.s3.openUploads(BUCKET), []);
      await assertArchivedWhole();
    });

    it("a part copy that fails aborts the copy: the object keeps its content, no upload stays open, the next run completes it", async () => {
      let partCopies = 0;
      h.s3.injectFault({ matches: (r) => isPartCopy(r) && ++partCopies === 2, code: "AccessDenied" });
      const failed = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR, s3Limits: { maxCopyBytes: MAX_COPY } });
      assert.equal(failed.ok, false);
      assert.deepEqual(failed.instances[0].failed.map((f) => [f.file, f.reason.split(":")[0]]), [[name, "AccessDenied"]]);
      assert.deepEqual(await h.s3.openUploads(BUCKET), []);
      const [kept] = (await h.s3.listAll(BUCKET)).filter((o) => !o.key.startsWith("_state/"));
      assert.equal(kept.metadata.sha256, undefined, "the metadata copy did not complete");
      assert.ok(gunzipSync(await h.s3.getBytes(BUCKET, kept.key)).equals(big));

      const next = await h.sync({ instances: ["db1"] }, { now: () => T0 + 3 * HOUR, s3Limits: { maxCopyBytes: MAX_COPY } });
      assert.equal(next.ok, true, JSON.stringify(next.instances[0]));
      assert.deepEqual(next.instances[0].copied.map((c) => c.file), [name]);
      await assertArchivedWhole();
    });
  });

  inProcessOnly("a file whose object would pass S3's object limit (5 TiB; lowered here to 10 MiB) fails, naming instance and file, and stores nothing", async () => {
    const big = randomBytes(12 * 1024 * 1024);
    h.rds.putFile("db1", { name: "trace/huge.trc", lastWritten: T0, content: big });
    h.rds.putFile("db1", { name: "trace/small.trc", lastWritten: T0, content: Buffer.from("small\n") });
    const tooLarge = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR, s3Limits: { maxObjectBytes: 10 * 1024 * 1024 } });
    assert.equal(tooLarge.ok, false);
    const [failed] = tooLarge.instances[0].failed;
    assert.equal(failed.file, "trace/huge.trc");
    assert.match(failed.reason, /^ObjectTooLarge: db1 trace\/huge\.trc: the archive object grew past 10485760 bytes, the most S3 can store/);
    assert.equal(h.rds.requests.filter((r) => r.action === "download" && r.file === "trace/huge.trc").length, 1, "not retried");
    assert.deepEqual([...(await archived(h)).keys()], ["db1/trace/2024/10/01/00/db1/small.trc.gz"]);
    assert.deepEqual(await h.s3.openUploads(BUCKET), []);
    const next = await h.sync({ instances: ["db1"] }, { now: () => T0 + 3 * HOUR });
    assert.deepEqual(next.instances[0].copied.map((c) => c.file), ["trace/huge.trc"]);
    assert.ok(gunzipSync(await h.s3.getBytes(BUCKET, "db1/trace/2024/10/01/00/db1/huge.trc.gz")).equals(big));
  });

  it("the CopyObject that adds the metadata copies only the object this run stored", async () => {
    h.rds.putFile("db1", { name: "trace/big.trc", lastWritten: T0, content: randomBytes(12 * 1024 * 1024) });
    const isCopyObject = (r: S3RequestView) => r.method === "PUT" && r.headers["x-amz-copy-source"] !== undefined && r.query.uploadId === undefined;
    await assertCopyRefusesReplacedSource(h, isCopyObject);
  });

  inProcessOnly("a download cut after an upload part was sent aborts that multipart upload; the retry stores the file whole", async () => {
    const big = randomBytes(20 * 1024 * 1024); // incompressible: the 17 MiB sent before the cut fill two 8 MiB parts
    h.rds.putFile("db1", { name: "trace/big.trc", lastWritten: T0, content: big });
    h.rds.injectFault({ on: "download", kind: "reset-mid-body", file: "trace/big.trc", atByte: 17 * 1024 * 1024 });
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR, gzipLevel: 1 });
    assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
    const uploads = h.s3.requests.filter((r) => r.path.includes("big.trc"));
    const uploadIds = (method: string) => uploads.filter((r) => r.method === method && r.query.includes("uploadId=")).map((r) => /uploadId=([^&]+)/.exec(r.query)![1]);
    const [aborted] = uploadIds("DELETE");
    assert.equal(uploadIds("DELETE").length, 1, "one AbortMultipartUpload");
    assert.ok(uploadIds("PUT").some((id) => id === aborted), "the aborted upload had sent a part");
    assert.deepEqual(await h.s3.openUploads(BUCKET), []);
    const [object] = (await h.s3.listAll(BUCKET)).filter((o) => !o.key.startsWith("_state/"));
    assert.equal(object.metadata.sha256, sha(big));
  });

  it("keeps unsafe file names inside their own key segment and rejects unmappable ones", async () => {
    const names = ["trace/../../etc/passwd", "trace/a b ü 🚀.trc", "/leading", "trace/"];
    for (const name of names) h.rds.putFile("db1", { name, lastWritten: T0, content: Buffer.from(`${name}\n`) });
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR });
    assert.deepEqual(report.instances[0].failed.map((f) => f.file), ["trace/"]);
    const keys = [...(await archived(h)).keys()].sort();
    assert.deepEqual(keys, [
      "db1/_root/2024/10/01/00/db1/%2Fleading.gz",
      "db1/trace/2024/10/01/00/db1/..%2F..%2Fetc%2Fpasswd.gz",
      "db1/trace/2024/10/01/00/db1/a%20b%20%C3%BC%20%F0%9F%9A%80.trc.gz",
    ]);
    for (const key of keys) assert.equal(key.split("/").length, 8);
  });

  describe("a single file whose new version lands under a key in a later hour", () => {
    const [oldKey, newKey] = ["db1/trace/2024/10/01/00/db1/a.trc.gz", "db1/trace/2024/10/01/01/db1/a.trc.gz"];
    const first = lines("first version", 50);

    async function archiveThenChange(next: string) {
      h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: T0 + 10, content: Buffer.from(first) });
      await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR });
      assert.deepEqual([...(await archived(h)).keys()], [oldKey]);
      h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: T0 + HOUR + 10, content: Buffer.from(next) });
      const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 3 * HOUR });
      assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
      return report.instances[0].copied;
    }

    it("keeps the old object when the file was rewritten, and says so", async () => {
      const rewritten = lines("rewritten", 60);
      const copied = await archiveThenChange(rewritten);
      const objects = await archived(h);
      assert.deepEqual([...objects.keys()].sort(), [oldKey, newKey]);
      assert.equal(objects.get(oldKey)?.text, first);
      assert.equal(objects.get(newKey)?.text, rewritten);
      assert.deepEqual(copied.map((c) => [c.file, c.key, c.reason]), [
        ["trace/a.trc", newKey, `changed; kept ${oldKey}: the file was rewritten, not appended to`],
      ]);
    });

    it("deletes the old object when the new content starts with the old", async () => {
      const appended = first + lines("appended", 10);
      const copied = await archiveThenChange(appended);
      const objects = await archived(h);
      assert.deepEqual([...objects.keys()], [newKey]);
      assert.equal(objects.get(newKey)?.text, appended);
      assert.deepEqual(copied.map((c) => c.reason), ["changed"]);
    });
  });

  inProcessOnly("a dry run plans and writes nothing", async () => {
    h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: T0, content: Buffer.from("a\n") });
    h.s3.resetRequests();
    const report = await h.sync({ instances: ["db1"], dryRun: true }, { now: () => T0 + 2 * HOUR });
    assert.deepEqual(report.instances[0].planned?.map((p) => [p.file, p.key]), [["trace/a.trc", "db1/trace/2024/10/01/00/db1/a.trc.gz"]]);
    assert.deepEqual(h.s3.requests.filter((r) => r.method !== "GET" && r.method !== "HEAD"), []);
    assert.equal(h.rds.requests.filter((r) => r.action === "download").length, 0);
  });

  // Serialized, the host signs at real time under the test's virtual clock, with the SDK's skew sampling off.
  inProcessOnly("signs downloads at the SDK's skew-corrected time when the local clock is off", async () => {
    await h.stop();
    h = await startHarness({ now: () => Date.now() + 40 * 60_000, maxSkewMs: 15 * 60_000 }, runner);
    h.rds.addInstance("db1");
    h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: T0, content: Buffer.from("a\n") });
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR });
    assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
    assert.ok(h.rds.requests.some((r) => r.code === "RequestExpired"), "the first request should have been refused");
    assert.deepEqual(h.rds.requests.filter((r) => r.action === "download").map((r) => r.status), [200]);
  });

  it("downloads through /v19/, which RDS still serves after /v13/ retires on 2027-03-01", async () => {
    await h.stop();
    h = await startHarness({ now: () => LEGACY_DOWNLOAD_RETIRED_AT + HOUR }, runner);
    h.rds.addInstance("db1");
    h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: T0, content: Buffer.from("a\n") });
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 2 * HOUR });
    assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
    assert.deepEqual(
      h.rds.requests.filter((r) => r.action === "download").map((r) => [r.apiVersion, r.status]),
      [["v19", 200]],
    );
  });

  it("accepts a MySQL error log RDS serves smaller than it lists only after two identical downloads", async () => {
    const text = lines("err", 30);
    h.rds.putFile("db1", { name: "error/mysql-error-running.log.3", lastWritten: T0 + 3 * HOUR + 5, content: Buffer.from(text), listedSize: 5000 });
    h.rds.injectFault({ on: "download", kind: "truncate-body", file: "error/mysql-error-running.log.3" });
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 5 * HOUR });
    assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
    assert.equal([...(await archived(h)).values()][0].text, text);
    // truncated, then two full (identical) downloads
    assert.equal(h.rds.requests.filter((r) => r.action === "download").length, 3);
  });

  it("sees a rotation during a download even when the members it shifts are tied on LastWritten and size", async () => {
    const t = T0 + HOUR;
    const [a, b, c] = ["A reinitialized\n", "B reinitialized\n", lines("active", 3)];
    h.rds.putFile("db1", { name: "log/ERROR", lastWritten: t + 5, content: Buffer.from(c) });
    h.rds.putFile("db1", { name: "log/ERROR.1", lastWritten: t, content: Buffer.from(a) });
    h.rds.putFile("db1", { name: "log/ERROR.2", lastWritten: t, content: Buffer.from(b) });
    let cycled = false;
    h.rds.beforeDownload = (_instance, file) => {
      if (cycled || file !== "log/ERROR.2") return;
      cycled = true;
      h.rds.renameFile("db1", "log/ERROR.2", "log/ERROR.3");
      h.rds.renameFile("db1", "log/ERROR.1", "log/ERROR.2");
      h.rds.renameFile("db1", "log/ERROR", "log/ERROR.1");
      h.rds.putFile("db1", { name: "log/ERROR", lastWritten: t + 10, content: Buffer.from("startup\n") });
    };
    const report = await h.sync({ instances: ["db1"] }, { now: () => T0 + 3 * HOUR });
    assert.equal(report.ok, true, JSON.stringify(report.instances[0]));
    assert.ok(cycled);
    assert.deepEqual([...(await archived(h)).values()].map((o) => o.text).sort(), [a, b, c].sort());
  });

  inProcessOnly("copies at most two files larger than an upload part at once, whatever the concurrency", async () => {
    const big = Buffer.from(lines("big", 400_000)); // ~10 MiB of log, more than one 8 MiB part
    assert.ok(big.length > 8 * 1024 * 1024);
    for (let i = 0; i < 4; i++) h.rds.putFile("db1", { name: `trace/big${i}.trc`, lastWritten: T0, content: big });
    for (let i = 0; i < 4; i++) h.rds.putFile("db1", { name: `trace/small${i}.trc`, lastWritten: T0, content: Buffer.from("s\n") });
    let [inFlight, maxLarge] = [0, 0];
    const report = await h.sync({ instances: ["db1"], concurrency: 8 }, {
      now: () => T0 + 2 * HOUR,
      onEvent: (e) => {
        if (!("file" in e) || !e.file?.includes("big")) return;
        if (e.type === "copy-start") maxLarge = Math.max(maxLarge, ++inFlight);
        if (e.type === "copied" || e.type === "failed") inFlight--;
      },
    });
    assert.equal(report.ok, true);
    assert.equal(report.totals.copied, 8);
    assert.equal(maxLarge, 2);
  });

  it("fails clearly when the bucket refuses access, and touches nothing", async () => {
    h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: T0, content: Buffer.from("a\n") });
    const denied = await h.sync({ instances: ["db1"], concurrency: 1 }, { env: { ...h.env, AWS_ACCESS_KEY_ID: "SOMEONE-ELSE" }, now: () => T0 + 2 * HOUR });
    assert.equal(denied.ok, false);
    assert.deepEqual(denied.errors.map((e) => [e.target, e.code]), [[BUCKET, "AccessDenied"]]);
    assert.match(denied.errors[0].message, /access to bucket archive-test is denied/);
    assert.equal(h.rds.requests.length, 0);
    assert.deepEqual(await h.s3.listAll(BUCKET), []);
  });

  inProcessOnly("signs downloads with the session token of temporary credentials", async () => {
    h.rds.addCredentials({ accessKeyId: "ASIATEMP", secretAccessKey: "temp-secret", sessionToken: "token-123" });
    h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: T0, content: Buffer.from("a\n") });
    const env = { ...h.env, AWS_ACCESS_KEY_ID: "ASIATEMP", AWS_SECRET_ACCESS_KEY: "temp-secret" };
    const withToken = await createClients(loadAwsSdk(), { ...env, AWS_SESSION_TOKEN: "token-123" });
    const body = await openLogFileDownload(withToken, "db1", "trace/a.trc");
    assert.equal(body.statusCode, 200);
    body.resume();
    const withoutToken = await createClients(loadAwsSdk(), env);
    await assert.rejects(openLogFileDownload(withoutToken, "db1", "trace/a.trc"), (err: DownloadError) => err.status === 403);
  });

  inProcessOnly("starts an instance's largest copies first, so they get the whole invocation", async () => {
    for (const [name, n] of [["trace/small.trc", 1], ["trace/large.trc", 5000], ["trace/medium.trc", 50]] as const) {
      h.rds.putFile("db1", { name, lastWritten: T0, content: Buffer.from(lines(name, n)) });
    }
    const started: string[] = [];
    await h.sync({ instances: ["db1"], concurrency: 1 }, { now: () => T0 + 2 * HOUR, onEvent: (e) => void (e.type === "copy-start" && started.push(e.file)) });
    assert.deepEqual(started, ["trace/large.trc", "trace/medium.trc", "trace/small.trc"]);
  });
});

const TIMEOUTS = { connectTimeoutSeconds: DEFAULTS.connectTimeoutSeconds, readTimeoutSeconds: DEFAULTS.readTimeoutSeconds };

function runSyncWith(h: Harness, env: NodeJS.ProcessEnv) {
  return runSync(
    { bucket: BUCKET, instances: ["db1"], clusters: [], include: [], concurrency: 1, activeRefreshMinutes: 0, dryRun: false, ...TIMEOUTS },
    { sdk: loadAwsSdk(), env, now: () => T0 + 2 * HOUR, retry: { baseDelayMs: 1, maxDelayMs: 5 } },
  );
}

