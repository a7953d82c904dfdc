import assert from "node:assert/strict";
import fc from "fast-check";
import { S3_LIMITS, S3_MAX_PARTS, S3_MIN_PART } from "../../archiver/s3/s3-limits";
import { PART_SIZE } from "../../archiver/s3/upload-archive-object";
import { MAX_UPLOAD_PART, uploadPartSize } from "../../archiver/s3/upload-part-size";

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const listed = fc.oneof(fc.integer({ min: 0, max: 100 * GiB }), fc.integer({ min: 0, max: 2 * S3_LIMITS.maxObjectBytes }));

describe("s3/upload-part-size", () => {
  it("whole MiB within S3's part sizes; 10,000 parts hold twice the listed size, or the largest object S3 stores", () => {
    fc.assert(
      fc.property(listed, (bytes) => {
        const part = uploadPartSize(bytes);
        assert.equal(part % MiB, 0);
        assert.ok(part >= Math.max(S3_MIN_PART, PART_SIZE) && part <= MAX_UPLOAD_PART && MAX_UPLOAD_PART <= 5 * GiB, `${part}`);
        assert.ok(part * S3_MAX_PARTS >= Math.min(2 * bytes, S3_LIMITS.maxObjectBytes), `${part} for ${bytes}`);
      }),
      { numRuns: 1000 },
    );
  });

  it("stays at the usual part size for files up to about 39 GiB, so memory only grows for the rare giant", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: (PART_SIZE * S3_MAX_PARTS) / 2 }), (bytes) => uploadPartSize(bytes) === PART_SIZE));
    assert.ok(uploadPartSize((PART_SIZE * S3_MAX_PARTS) / 2 + 1) > PART_SIZE);
  });

  it("never shrinks as the listed size grows", () => {
    fc.assert(fc.property(listed, listed, (a, b) => uploadPartSize(Math.min(a, b)) <= uploadPartSize(Math.max(a, b))));
  });

  it("a 5 TiB file gets the largest part, which 10,000 times holds S3's largest object", () => {
    assert.equal(uploadPartSize(S3_LIMITS.maxObjectBytes), MAX_UPLOAD_PART);
    assert.ok(MAX_UPLOAD_PART * S3_MAX_PARTS >= S3_LIMITS.maxObjectBytes);
    assert.equal(MAX_UPLOAD_PART, 525 * MiB);
  });
});
