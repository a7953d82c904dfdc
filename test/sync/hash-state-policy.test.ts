import assert from "node:assert/strict";
import fc from "fast-check";
import { asksRange, HASH_STATE_MIN_PARTS, keepsHashState } from "../../archiver/sync/hash-state-policy";

const MiB = 1024 * 1024;
const base = { resumeWithRange: true, partBytes: 8 * MiB, rangeNeverAsked: false };

describe("sync/hash-state-policy", () => {
  it("a fresh copy keeps the exportable state from HASH_STATE_MIN_PARTS parts' worth of raw bytes on", () => {
    assert.equal(keepsHashState({ ...base, listedBytes: HASH_STATE_MIN_PARTS * 8 * MiB - 1 }), false);
    assert.equal(keepsHashState({ ...base, listedBytes: HASH_STATE_MIN_PARTS * 8 * MiB }), true);
    assert.equal(keepsHashState({ ...base, listedBytes: 20 * 1024 * MiB }), true);
  });

  it("property: never with resumeWithRange=false or where Range is never asked; a resumed copy keeps what it started with", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.nat(), fc.option(fc.boolean(), { nil: undefined }), (range, never, listed, hasState) => {
        const kept = keepsHashState({ ...base, resumeWithRange: range, rangeNeverAsked: never, listedBytes: listed, ...(hasState === undefined ? {} : { resumed: { hasState } }) });
        if (!range || never) assert.equal(kept, false);
        else if (hasState !== undefined) assert.equal(kept, hasState);
        else assert.equal(kept, listed >= HASH_STATE_MIN_PARTS * base.partBytes);
      }),
    );
  });

  it("Range is asked only past offset 0, for a plain-served file, with a state at exactly the offset", () => {
    const ok = { resumeWithRange: true, rangeNeverAsked: false, servedGzip: false, offset: 100, stateBytes: 100 };
    assert.equal(asksRange(ok), true);
    assert.equal(asksRange({ ...ok, resumeWithRange: false }), false);
    assert.equal(asksRange({ ...ok, rangeNeverAsked: true }), false);
    assert.equal(asksRange({ ...ok, servedGzip: true }), false);
    assert.equal(asksRange({ ...ok, stateBytes: 99 }), false);
    assert.equal(asksRange({ resumeWithRange: true, rangeNeverAsked: false, servedGzip: false, offset: 100 }), false);
    assert.equal(asksRange({ ...ok, offset: 0, stateBytes: 0 }), false);
  });
});
