import assert from "node:assert/strict";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import fc from "fast-check";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { archiveHourPrefix, archiveKey, archiveKeyFolder, parseArchiveKey, splitLogName } from "../../archiver/layout/archive-key";
import { findArchivedObjects, headArchivedObject, listObjectPages, readArchivedObjects, type BucketReader } from "../../archiver/s3/archive-reading";
import { contentMetadata, readProvenance, sourceMetadata } from "../../archiver/s3/metadata";
import { LocalS3 } from "../../local-aws/local-s3";
import { anyString } from "../layout/arbitraries";

const T0 = Date.UTC(2024, 9, 1, 13, 5);
const SHA = "a".repeat(64);

describe("layout: archive keys read back", () => {
  it("parseArchiveKey inverts archiveKey, and every key starts with its hour prefix", () => {
    fc.assert(
      fc.property(anyString, anyString, anyString, anyString, fc.integer({ min: 0, max: 4_000_000_000_000 }), (group, instance, folder, rest, t) => {
        const logName = `${folder}/${rest}`;
        const key = archiveKey(group, instance, logName, t);
        assert.equal(archiveKeyFolder(key), archiveHourPrefix(group, instance, logName, t));
        const parts = parseArchiveKey(key);
        assert.ok(parts, key);
        assert.equal(parts.group, group);
        assert.equal(parts.instance, instance);
        assert.equal(parts.rest, splitLogName(logName).rest);
        assert.equal(parts.hour, t - (t % 3_600_000));
      }),
    );
  });

  it("keys of other shapes are not archive keys", () => {
    for (const key of ["_state/g/i.json", "g/error/2024/13/01/00/i/x.gz", "g/error/2024/10/01/12/i/x", "g/error/2024/10/01/12/i/a/b.gz"]) {
      assert.equal(parseArchiveKey(key), undefined, key);
    }
  });
});

describe("s3/metadata: provenance read back", () => {
  it("readProvenance returns what the sync wrote, whatever the file name", () => {
    fc.assert(
      fc.property(anyString, anyString, fc.nat(), fc.nat(), fc.nat(), fc.stringMatching(/^[0-9a-f]{64}$/), (instance, name, size, lastWritten, bytes, sha256) => {
        fc.pre(instance !== "" && name !== "");
        // S3 carries metadata as headers: only printable ASCII survives, which metadataValue guarantees for the name.
        fc.pre(/^[\x20-\x7e]+$/.test(instance));
        const metadata = { ...sourceMetadata(instance, { name, size, lastWritten }), ...contentMetadata(bytes, sha256) };
        assert.deepEqual(readProvenance(metadata), { provenance: { instance, file: name, size, lastWritten, bytes, sha256 } });
      }),
    );
  });

  it("names every missing or malformed key", () => {
    const full = { ...sourceMetadata("db-1", { name: "error/x", size: 3, lastWritten: 4 }), ...contentMetadata(5, SHA) };
    const none = readProvenance(undefined);
    assert.ok("problems" in none);
    assert.deepEqual(new Set(none.problems), new Set(["rds-instance", "rds-log-file", "rds-size", "rds-last-written", "bytes", "sha256"].map((k) => `no ${k} metadata`)));
    const { sha256: _s, ...noSha } = full;
    assert.deepEqual(readProvenance(noSha), { problems: ["no sha256 metadata"] });
    assert.deepEqual(readProvenance({ ...full, bytes: "12x" }), { problems: ['bytes metadata is not a whole number: "12x"'] });
    assert.deepEqual(readProvenance({ ...full, sha256: "XYZ" }), { problems: ['sha256 metadata is not a hex sha256: "XYZ"'] });
  });
});

describe("s3/archive-reading against s3rver", function () {
  this.timeout(30_000);
  const BUCKET = "reading";
  let s3: LocalS3;
  let reader: BucketReader;

  const put = (key: string, metadata: Record<string, string>, body = "x") =>
    s3.client().send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, Metadata: metadata }));
  const meta = (name: string) => ({ ...sourceMetadata("db-1", { name, size: 10, lastWritten: T0 }), ...contentMetadata(10, SHA) });

  before(async () => {
    s3 = await LocalS3.start({ buckets: [BUCKET] });
    reader = { sdk: loadAwsSdk(), s3: s3.client(), bucket: BUCKET, pageSize: 2 };
    for (let n = 0; n < 5; n++) await put(archiveKey("g", "db-1", `error/f${n}`, T0), meta(`error/f${n}`), "abc");
    await put(archiveKey("g", "db-2", "error/f0", T0), meta("error/f0"));
    await put(archiveKey("g", "db-1", "error/bare", T0), {});
  });
  after(() => s3.stop());

  it("streams a prefix page by page, with stored sizes", async () => {
    const pages: number[] = [];
    const keys: string[] = [];
    for await (const page of listObjectPages(reader, archiveHourPrefix("g", "db-1", "error/x", T0))) {
      pages.push(page.length);
      for (const o of page) {
        keys.push(o.key);
        assert.equal(o.storedBytes, o.key.includes("bare") ? 1 : 3);
        assert.ok(o.lastModified > 0);
      }
    }
    assert.deepEqual(pages, [2, 2, 2]);
    assert.equal(keys.length, 6);
    assert.ok(keys.every((k) => parseArchiveKey(k)?.instance === "db-1"));
  });

  it("reads metadata; an object without it is reported as such; a missing key is undefined", async () => {
    const ok = await headArchivedObject(reader, archiveKey("g", "db-1", "error/f1", T0));
    assert.ok(ok && "provenance" in ok);
    assert.equal(ok.provenance.file, "error/f1");
    const bare = await headArchivedObject(reader, archiveKey("g", "db-1", "error/bare", T0));
    assert.ok(bare && "problems" in bare);
    assert.ok(bare.problems.includes("no sha256 metadata"));
    assert.equal(await headArchivedObject(reader, archiveKey("g", "db-1", "error/none", T0)), undefined);
  });

  it("findArchivedObjects lists the wanted folders and reads only the wanted keys", async () => {
    const wanted = ["error/f0", "error/f3", "error/none"].map((n) => ({ key: archiveKey("g", "db-1", n, T0), prefix: archiveHourPrefix("g", "db-1", n, T0) }));
    s3.resetRequests();
    const found = await findArchivedObjects(reader, wanted);
    assert.deepEqual([...found.keys()].sort(), [wanted[0].key, wanted[1].key]);
    assert.equal(s3.requests.filter((r) => r.method === "HEAD").length, 2);
    assert.equal(s3.requests.filter((r) => r.method === "GET").length, 3, "three pages of one folder");
  });

  it("readArchivedObjects yields every object under a prefix with its metadata", async () => {
    const all = [];
    for await (const page of readArchivedObjects(reader, "g/")) all.push(...page);
    assert.equal(all.length, 7);
    assert.equal(all.filter((o) => "problems" in o).length, 1);
  });
});
