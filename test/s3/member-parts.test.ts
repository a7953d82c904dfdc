import assert from "node:assert/strict";
import fc from "fast-check";
import { groupIntoParts, MEMBER_RAW_BYTES, partIsFull, planParts, withinPartLimit } from "../../archiver/s3/member-parts";
import { S3_LIMITS, S3_MAX_PARTS, S3_MIN_PART } from "../../archiver/s3/s3-limits";

const GiB = 1024 ** 3;
/** A gzip member's size for `raw` bytes: from 1,000:1 compression to incompressible data plus deflate's worst-case overhead. */
const memberOut = (raw: number, ratio: number) => Math.max(20, Math.ceil(raw / ratio)) + Math.ceil(raw / 16_000) * 5 + 18;

describe("s3/member-parts", () => {
  it("property: every part but the last reaches the part size, which is at least S3's minimum; parts are runs of whole members", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 * GiB }), fc.array(fc.integer({ min: 1, max: 40 * 1024 * 1024 }), { maxLength: 300 }), (listed, sizes) => {
        const plan = planParts(listed);
        assert.ok(plan.partBytes >= S3_MIN_PART);
        assert.ok(plan.memberBytes > 0 && plan.memberBytes <= MEMBER_RAW_BYTES && plan.memberBytes * 4 <= plan.partBytes);
        const parts = groupIntoParts(sizes, plan);
        assert.equal(parts.reduce((n, p) => n + p.bytes, 0), sizes.reduce((n, s) => n + s, 0), "every member in exactly one part");
        parts.forEach((p, i) => {
          const end = i + 1 < parts.length ? parts[i + 1].firstMember : sizes.length;
          assert.ok(p.firstMember === (i === 0 ? 0 : parts[i - 1].firstMember + 1) || p.firstMember > parts[i - 1].firstMember);
          assert.ok(end > p.firstMember, "no empty part");
          assert.equal(p.bytes, sizes.slice(p.firstMember, end).reduce((n, s) => n + s, 0), "a part is the run of members up to the next");
          if (i < parts.length - 1) assert.ok(p.bytes >= plan.partBytes);
          // Closed as soon as full: without its last member the part would not have been full yet.
          assert.ok(i === parts.length - 1 || p.bytes - sizes[end - 1] < plan.partBytes);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("property: a file that compresses anywhere from 1,000:1 to not at all fits in 10,000 parts, up to the size S3 stores", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 * 1024 * GiB }), fc.integer({ min: 1, max: 1000 }), (listed, ratio) => {
        const plan = planParts(listed);
        const members = Math.ceil(listed / plan.memberBytes);
        const full = memberOut(plan.memberBytes, ratio);
        // Closed parts hold whole members reaching partBytes: parts <= ceil(members / ceil(partBytes / memberSize)).
        const perPart = Math.ceil(plan.partBytes / full);
        const parts = Math.ceil(members / perPart);
        assert.ok(parts <= S3_MAX_PARTS, `${parts} parts for ${listed} bytes at ${ratio}:1`);
        assert.ok(perPart * full <= plan.partBytes + full, "a part overshoots by less than one member");
      }),
      { numRuns: 500 },
    );
  });

  it("lowered part sizes (tests) keep members at a quarter of a part; S3's minimum still applies unless lowered", () => {
    assert.deepEqual(planParts(10, { partBytes: 64 * 1024, minPartBytes: 1024 }), { partBytes: 64 * 1024, memberBytes: 16 * 1024 });
    assert.equal(planParts(10, { partBytes: 1024 }).partBytes, S3_LIMITS.minPartBytes);
    assert.ok(partIsFull(100, { partBytes: 100, memberBytes: 25 }) && !partIsFull(99, { partBytes: 100, memberBytes: 25 }));
    assert.ok(withinPartLimit(1) && withinPartLimit(S3_MAX_PARTS) && !withinPartLimit(S3_MAX_PARTS + 1) && !withinPartLimit(0));
  });
});
