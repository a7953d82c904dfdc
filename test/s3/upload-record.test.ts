import assert from "node:assert/strict";
import fc from "fast-check";
import { rangeHonoured } from "../../archiver/rds/range-response";
import { staleUploads, STALE_UPLOAD_AGE_MS } from "../../archiver/s3/stale-uploads";
import { compressedBytes, emptyRecords, parseRecords, resumeOffset, resumeProblem, type UploadRecord } from "../../archiver/s3/upload-record";
import { uploadRecordKey } from "../../archiver/layout/upload-record-key";
import { stateKey, statePrefix } from "../../archiver/layout/state-key";
import { anyString } from "../layout/arbitraries";

const record: UploadRecord = {
  key: "db1/error/2024/10/01/00/db1/postgresql.log.gz", uploadId: "u1", file: "error/postgresql.log", size: 100, lastWritten: 5,
  servedGzip: false, partBytes: 10, memberBytes: 4, prefixSha256: "ab", startedAt: 1,
  parts: [{ n: 1, etag: '"e1"', rawEnd: 40, size: 12 }, { n: 2, etag: '"e2"', rawEnd: 70, size: 11 }],
};
const listed = { key: record.key, name: record.file, size: 100, lastWritten: 5 };

describe("s3/upload-record", () => {
  it("continues at the last part's raw end; counts the stored compressed bytes", () => {
    assert.equal(resumeOffset(record), 70);
    assert.equal(compressedBytes(record), 23);
    assert.equal(resumeOffset({ ...record, parts: [] }), 0);
  });

  it("a file listed with another size or LastWritten, or another key, is not continued", () => {
    assert.equal(resumeProblem(record, listed), undefined);
    assert.match(resumeProblem(record, { ...listed, size: 101 })!, /changed since its copy started \(size 100 -> 101/);
    assert.match(resumeProblem(record, { ...listed, lastWritten: 6 })!, /LastWritten 5 -> 6/);
    assert.match(resumeProblem(record, { ...listed, key: "other" })!, /record is for/);
  });

  it("reads back what it stored, and reads anything else as no record", () => {
    const stored = { version: 1, uploads: { [record.key]: record } };
    assert.deepEqual(parseRecords(JSON.stringify(stored)), stored);
    for (const bad of [undefined, "", "{", "[]", '{"version":2,"uploads":{}}', JSON.stringify({ version: 1, uploads: { k: { ...record, parts: [{ n: 2 }] } } })]) {
      assert.deepEqual(parseRecords(bad), emptyRecords());
    }
  });

  it("property: the record key lies under the group's state prefix and never equals a state key", () => {
    fc.assert(
      fc.property(anyString, anyString, anyString, (group, a, b) => {
        assert.ok(uploadRecordKey(group, a).startsWith(statePrefix(group)));
        assert.notEqual(uploadRecordKey(group, a), stateKey(group, b));
      }),
    );
  });
});

describe("rds/range-response", () => {
  it("honoured only by a 206 whose Content-Range starts at the offset asked", () => {
    assert.equal(rangeHonoured(70, 206, "bytes 70-99/100"), true);
    assert.equal(rangeHonoured(70, 206, "bytes 70-99/*"), true);
    assert.equal(rangeHonoured(70, 200, "bytes 70-99/100"), false);
    assert.equal(rangeHonoured(70, 206, "bytes 0-99/100"), false);
    assert.equal(rangeHonoured(70, 206, undefined), false);
    assert.equal(rangeHonoured(70, 206, "items 70-99/100"), false);
  });
});

describe("s3/stale-uploads: recorded uploads", () => {
  it("an upload an upload record owns is never stale, however old", () => {
    const old = { key: "k", uploadId: "u1", initiated: 0 };
    const other = { key: "k", uploadId: "u2", initiated: 0 };
    assert.deepEqual(staleUploads([old, other], STALE_UPLOAD_AGE_MS * 10, ["u1"]), [other]);
    assert.deepEqual(staleUploads([old, other], STALE_UPLOAD_AGE_MS * 10), [old, other]);
  });
});
