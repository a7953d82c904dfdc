import { strict as assert } from "assert";
import { CopyObjectCommand, DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { gzipSync } from "zlib";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { runVerify, type VerifySettings } from "../../archiver/verify/run-verify";
import type { VerifyReport } from "../../archiver/verify/verify-report";
import { BUCKET, HOUR, lines, startHarness, T0, type Harness } from "../engine/harness";

const hourly = (h: number) => `error/postgresql.log.2024-10-01-${String(h).padStart(2, "0")}`;
const keyOf = (h: number) => `db1/error/2024/10/01/${String(h).padStart(2, "0")}/db1/postgresql.log.2024-10-01-${String(h).padStart(2, "0")}.gz`;

/** Every problem a report names, one string each, sorted: what a test compares with the alterations it made. */
function named(r: VerifyReport): string[] {
  const out: string[] = [];
  for (const e of r.errors) out.push(`error ${e.code}`);
  for (const i of r.instances) {
    if (i.error) out.push(`error ${i.instance} ${i.error.code}`);
    for (const f of i.files) if (f.status === "missing" || f.status === "deferred") out.push(`${f.status} ${f.file}`);
    for (const l of i.lost) out.push(`lost ${l.file}`);
    for (const f of i.findings) out.push(`${f.problem} ${f.key}`);
  }
  for (const b of r.chainBreaks) out.push(`chain ${b.key}`);
  return out.sort();
}

describe("verify against the fake RDS and s3rver", function () {
  this.timeout(60_000);
  let h: Harness;
  const settings = (o: Partial<VerifySettings> = {}): VerifySettings => ({ bucket: BUCKET, instances: ["db1"], clusters: [], deep: false, digests: false, ...o });
  const verify = (o: Partial<VerifySettings> = {}, now = T0 + 7 * HOUR) =>
    runVerify(settings(o), { sdk: loadAwsSdk(), env: h.env, now: () => now, retry: { baseDelayMs: 1, maxDelayMs: 5 } });

  beforeEach(async () => {
    h = await startHarness();
    h.rds.addInstance("db1");
    // Six closed hourly files and the active one.
    for (let i = 0; i <= 6; i++) h.rds.putFile("db1", { name: hourly(i), lastWritten: T0 + i * HOUR + 50 * 60_000, content: Buffer.from(lines(`h${i}`, 50 + i)) });
  });
  afterEach(async () => h.stop());

  it("a bucket no sync has written to: a clear message, every closed file missing, exit status not ok", async () => {
    const r = await verify();
    assert.equal(r.ok, false);
    assert.equal(r.errors[0]?.code, "NothingArchived");
    assert.match(r.errors[0].message, /holds no archived object of db1: no sync has archived anything there yet/);
    assert.equal(r.totals.missing, 6);
  });

  it("a bucket that does not exist: a clear message naming it", async () => {
    const r = await verify({ bucket: "no-such-bucket" });
    assert.equal(r.ok, false);
    assert.deepEqual(r.errors.map((e) => [e.target, e.code, e.message]), [["no-such-bucket", "NoSuchBucket", "bucket no-such-bucket does not exist"]]);
  });

  it("after a sync: every closed file archived, the active one pending, every object's metadata and content true", async () => {
    const sync = await h.sync({ instances: ["db1"] }, { now: () => T0 + 7 * HOUR });
    assert.equal(sync.ok, true);
    const r = await verify({ deep: true });
    assert.deepEqual(named(r), []);
    assert.equal(r.ok, true);
    assert.deepEqual(r.totals, { listed: 7, archived: 6, pending: 1, deferred: 0, missing: 0, objectsChecked: 6, mismatched: 0 });
    assert.equal(r.instances[0].objectsRead, 6);
    assert.equal(r.instances[0].filesRedownloaded, 6);
    assert.match(r.instances[0].files.find((f) => f.file === hourly(6))!.reason!, /^active/);
  });

  it("a closed file not archived yet is deferred within the window, missing after it", async () => {
    await h.sync({ instances: ["db1"] }, { now: () => T0 + 6.5 * HOUR });
    h.rds.putFile("db1", { name: hourly(7), lastWritten: T0 + 7 * HOUR + 59 * 60_000, content: Buffer.from(lines("h7", 5)) });
    // The window counts from LastWritten: hour 6 was last written at 06:50, hour 7 at 07:59.
    assert.deepEqual(named(await verify({}, T0 + 7.5 * HOUR)), [`deferred ${hourly(6)}`]);
    assert.deepEqual(named(await verify({}, T0 + 8 * HOUR + 55 * 60_000)), [`deferred ${hourly(7)}`, `missing ${hourly(6)}`]);
  });

  it("names each alteration, and nothing else: a deleted object, changed bytes, removed metadata, a corrupt gzip, changed RDS content", async () => {
    await h.sync({ instances: ["db1"] }, { now: () => T0 + 7 * HOUR });
    const s3 = h.s3.client();
    const objects = new Map((await h.s3.listAll(BUCKET)).map((o) => [o.key, o]));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: keyOf(1) }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: keyOf(2), Body: gzipSync(lines("h2", 52).replace("line 7", "line X")), Metadata: objects.get(keyOf(2))!.metadata }));
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: keyOf(3), CopySource: `${BUCKET}/${keyOf(3)}`, MetadataDirective: "REPLACE", Metadata: {} }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: keyOf(4), Body: Buffer.from("not gzip at all"), Metadata: objects.get(keyOf(4))!.metadata }));
    h.rds.putFile("db1", { name: hourly(5), lastWritten: T0 + 5 * HOUR + 50 * 60_000, content: Buffer.from(lines("h5", 55).replace("line 3", "line Z")) });

    const shallow = await verify();
    assert.deepEqual(named(shallow), [`missing ${hourly(1)}`, `missing ${hourly(3)}`, `no-metadata ${keyOf(3)}`]);
    assert.equal(shallow.ok, false);
    const deep = await verify({ deep: true });
    assert.deepEqual(named(deep), [
      `corrupt ${keyOf(4)}`, `differs-from-rds ${keyOf(5)}`, `mismatched ${keyOf(2)}`, `missing ${hourly(1)}`, `missing ${hourly(3)}`, `no-metadata ${keyOf(3)}`,
    ].sort());
    assert.equal(deep.totals.mismatched, 4);
    assert.equal(deep.totals.missing, 2);
  });
});
