import assert from "node:assert/strict";
import fc from "fast-check";
import { copyOrder } from "../../archiver/planning/copy-order";

const LARGE = 1000;
const copyArb = fc.record({ file: fc.record({ size: fc.integer({ min: 0, max: 3 * LARGE }), lastWritten: fc.integer({ min: 0, max: 50 }) }), id: fc.nat() });

describe("planning/copy-order", () => {
  it("every large file before every small one; large ones largest first, small ones oldest first; the same copies", () => {
    fc.assert(fc.property(fc.array(copyArb, { maxLength: 30 }), (copies) => {
      const ordered = copyOrder(copies, LARGE);
      assert.deepEqual([...ordered].sort((a, b) => a.id - b.id || a.file.size - b.file.size), [...copies].sort((a, b) => a.id - b.id || a.file.size - b.file.size));
      const firstSmall = ordered.findIndex((c) => c.file.size <= LARGE);
      const large = firstSmall < 0 ? ordered : ordered.slice(0, firstSmall);
      const small = firstSmall < 0 ? [] : ordered.slice(firstSmall);
      assert.ok(small.every((c) => c.file.size <= LARGE) && large.every((c) => c.file.size > LARGE));
      for (let i = 1; i < large.length; i++) assert.ok(large[i - 1].file.size >= large[i].file.size);
      for (let i = 1; i < small.length; i++) assert.ok(small[i - 1].file.lastWritten <= small[i].file.lastWritten);
    }));
  });

  it("a size-rotated chain's oldest members come first, whatever their sizes", () => {
    const chain = [1, 2, 3, 4, 5].map((k) => ({ name: `audit/server_audit.log.${k}`, file: { size: 20_000 + ((k * 37) % 50), lastWritten: 1000 - k } }));
    assert.deepEqual(copyOrder(chain, 8 * 1024 * 1024).map((c) => c.name), [5, 4, 3, 2, 1].map((k) => `audit/server_audit.log.${k}`));
  });
});
