import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeSegment, encodeSegment } from "../../archiver/layout/segments";
import { anyString } from "./arbitraries";

describe("layout/segments: encodeSegment / decodeSegment", () => {
  it("keeps letters, digits, . _ - readable and percent-encodes everything else as UTF-8", () => {
    assert.equal(encodeSegment("postgresql.log.2024-10-01-12"), "postgresql.log.2024-10-01-12");
    assert.equal(encodeSegment("my_db-1"), "my_db-1");
    assert.equal(encodeSegment("a/b"), "a%2Fb");
    assert.equal(encodeSegment("a b"), "a%20b");
    assert.equal(encodeSegment("100%"), "100%25");
    assert.equal(encodeSegment("é"), "%C3%A9");
    assert.equal(encodeSegment("😀"), "%F0%9F%98%80");
    assert.equal(encodeSegment("\u0000\n"), "%00%0A");
  });

  it("escapes a leading underscore and the dot segments", () => {
    assert.equal(encodeSegment("_state"), "%5Fstate");
    assert.equal(encodeSegment("_"), "%5F");
    assert.equal(encodeSegment("a_"), "a_");
    assert.equal(encodeSegment("."), "%2E");
    assert.equal(encodeSegment(".."), "%2E%2E");
    assert.equal(encodeSegment("..."), "...");
    for (const s of ["_state", "_", ".", "..", "%2E", "%5F"]) assert.equal(decodeSegment(encodeSegment(s)), s);
  });

  it("property: decode(encode(s)) === s for any well-formed string", () => {
    fc.assert(
      fc.property(anyString, (s) => {
        assert.equal(decodeSegment(encodeSegment(s)), s);
      }),
      { numRuns: 500 },
    );
  });

  it("property: the output is never '', '.', '..', has no '/', starts with '_' only for '', uses only [A-Za-z0-9._%-]", () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const e = encodeSegment(s);
        assert.ok(!e.includes("/"), e);
        assert.notEqual(e, "");
        assert.notEqual(e, ".");
        assert.notEqual(e, "..");
        assert.equal(e.startsWith("_"), s === "", e);
        assert.match(e, /^[A-Za-z0-9._%-]+$/);
      }),
      { numRuns: 500 },
    );
  });

  it("property: injective: distinct inputs give distinct segments", () => {
    fc.assert(
      fc.property(anyString, anyString, (a, b) => {
        fc.pre(a !== b);
        assert.notEqual(encodeSegment(a), encodeSegment(b));
      }),
      { numRuns: 500 },
    );
  });

  // A key segment must never be empty: an empty group or instance would give a key starting with "/".
  it("never returns the empty segment", () => {
    assert.notEqual(encodeSegment(""), "");
  });

  // A lone UTF-16 surrogate must not share the encoding of U+FFFD.
  it("is injective and reversible for lone surrogates too (any JS string)", () => {
    assert.notEqual(encodeSegment("\uD800"), encodeSegment("\uFFFD"));
    assert.equal(decodeSegment(encodeSegment("a\uDC00")), "a\uDC00");
  });
});
