import assert from "node:assert/strict";
import fc from "fast-check";
import { copyRanges, type ByteRange } from "../../archiver/s3/copy-ranges";
import { S3_LIMITS, S3_MAX_PARTS, S3_MIN_PART } from "../../archiver/s3/s3-limits";

const S3_COPY_LIMIT = S3_LIMITS.maxCopyBytes;
const S3_MAX_OBJECT = S3_LIMITS.maxObjectBytes;

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** Every rule S3 sets for the parts of a multipart copy of `size` bytes with this copy limit. */
function assertValidPlan(ranges: ByteRange[], size: number, maxCopyBytes: number): void {
  assert.ok(ranges.length >= 1 && ranges.length <= S3_MAX_PARTS, `${ranges.length} parts`);
  assert.equal(ranges[0].first, 0);
  assert.equal(ranges[ranges.length - 1].last, size - 1);
  ranges.forEach((r, i) => {
    const length = r.last - r.first + 1;
    assert.ok(Number.isSafeInteger(r.first) && Number.isSafeInteger(r.last), JSON.stringify(r));
    assert.ok(length >= 1 && length <= maxCopyBytes, `part ${i + 1} is ${length} bytes`);
    if (i < ranges.length - 1) {
      assert.ok(length >= S3_MIN_PART, `part ${i + 1} of ${ranges.length} is ${length} bytes`);
      assert.equal(ranges[i + 1].first, r.last + 1, `gap or overlap after part ${i + 1}`);
    }
  });
}

describe("s3/copy-ranges", () => {
  it("plans any object size up to S3's 5 TiB within S3's part rules", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 1, max: S3_MAX_OBJECT }), fc.integer({ min: 1, max: 20 * GiB })), (size) => {
        assertValidPlan(copyRanges(size), size, S3_COPY_LIMIT);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps every range within a lowered copy limit, or refuses a size that would need over 10,000 parts", () => {
    fc.assert(
      fc.property(fc.integer({ min: S3_MIN_PART, max: S3_COPY_LIMIT }), fc.integer({ min: 1, max: S3_MAX_OBJECT }), (maxCopyBytes, size) => {
        if (size <= S3_MAX_PARTS * maxCopyBytes) assertValidPlan(copyRanges(size, maxCopyBytes), size, maxCopyBytes);
        else assert.throws(() => copyRanges(size, maxCopyBytes), /more than 10000 copy parts/);
      }),
      { numRuns: 300 },
    );
  });

  it("the edges: one byte, exactly one part, one byte over, the 5 TiB maximum", () => {
    assert.deepEqual(copyRanges(1), [{ first: 0, last: 0 }]);
    assert.deepEqual(copyRanges(512 * MiB), [{ first: 0, last: 512 * MiB - 1 }]);
    assert.deepEqual(copyRanges(512 * MiB + 1), [{ first: 0, last: 512 * MiB - 1 }, { first: 512 * MiB, last: 512 * MiB }]);
    assert.equal(copyRanges(6 * GiB).length, 12);
    const largest = copyRanges(S3_MAX_OBJECT);
    assertValidPlan(largest, S3_MAX_OBJECT, S3_COPY_LIMIT);
    assert.equal(largest.length, S3_MAX_PARTS);
    assert.deepEqual(copyRanges(10 * MiB, 6 * MiB), [{ first: 0, last: 6 * MiB - 1 }, { first: 6 * MiB, last: 10 * MiB - 1 }]);
  });

  it("refuses an empty object and a copy limit below S3's minimum part", () => {
    assert.throws(() => copyRanges(0), /0 bytes/);
    assert.throws(() => copyRanges(1.5), /1.5 bytes/);
    assert.throws(() => copyRanges(100, S3_MIN_PART - 1), /below S3's minimum part size/);
  });
});
