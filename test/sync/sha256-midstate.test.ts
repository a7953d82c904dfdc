import assert from "node:assert/strict";
import { createHash } from "crypto";
import fc from "fast-check";
import { sha256Midstate } from "../../archiver/sync/sha256-midstate";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("sync/sha256-midstate", () => {
  it("property: equals node:crypto's sha256 for any bytes fed in any pieces, across an export and a resume through JSON", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.array(fc.nat(), { maxLength: 6 }), fc.nat(), (bytes, cuts, exportAt) => {
        const data = Buffer.from(bytes);
        const at = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        const pieces = [0, ...at, data.length].slice(1).map((end, i, ends) => data.subarray(i === 0 ? 0 : ends[i - 1], end));
        const split = exportAt % (pieces.length + 1);
        const first = sha256Midstate();
        for (const p of pieces.slice(0, split)) first.update(p);
        const state = JSON.parse(JSON.stringify(first.exportState()));
        const resumed = sha256Midstate(state);
        for (const p of pieces.slice(split)) resumed.update(p);
        assert.equal(resumed.digestHex(), sha(data));
        assert.equal(first.digestHex(), sha(Buffer.concat(pieces.slice(0, split))), "a digest does not end the hash");
      }),
      { numRuns: 300 },
    );
  });

  it("the FIPS 180-4 examples", () => {
    assert.equal(sha256Midstate().digestHex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const abc = sha256Midstate();
    abc.update(Buffer.from("abc"));
    assert.equal(abc.digestHex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const two = sha256Midstate();
    two.update(Buffer.from("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
    assert.equal(two.digestHex(), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  });

  it("refuses a state whose tail does not match its length", () => {
    const s = sha256Midstate();
    s.update(Buffer.from("hello"));
    assert.throws(() => sha256Midstate({ ...s.exportState(), bytes: 6 }), /tail does not match/);
    assert.throws(() => sha256Midstate({ ...s.exportState(), h: "xyz" }), /64 hex digits/);
  });
});
