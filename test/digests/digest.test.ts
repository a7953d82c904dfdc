import assert from "node:assert/strict";
import fc from "fast-check";
import {
  checkDigestChain, checkObjectAgainstDigest, latestDigestEntries, parseDigest, renderDigest, sha256Hex,
  type Digest, type DigestObject, type StoredDigest,
} from "../../archiver/digests/digest";
import { digestKey } from "../../archiver/layout/digest-key";

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 9, 1);

const shaArb = fc.stringMatching(/^[0-9a-f]{64}$/);
const objectArb: fc.Arbitrary<DigestObject> = fc.record({
  key: fc.stringMatching(/^g\/error\/2024\/10\/01\/\d{2}\/db-1\/[a-z.]{1,12}\.gz$/),
  storedBytes: fc.nat(),
  bytes: fc.nat(),
  sha256: shaArb,
  rds: fc.record({ instance: fc.constant("db-1"), file: fc.string({ maxLength: 12 }), size: fc.nat(), lastWritten: fc.nat() }),
  storedAt: fc.integer({ min: T0, max: T0 + 48 * HOUR }).map((t) => new Date(t).toISOString()),
});

/** A chain of `objects.length` hourly digests, as the writer builds it. */
function chain(objects: DigestObject[][]): StoredDigest[] {
  const out: StoredDigest[] = [];
  objects.forEach((list, n) => {
    const hour = T0 + n * HOUR;
    const before = out[out.length - 1];
    const previous = before ? { key: before.key, sha256: sha256Hex(before.text) } : null;
    const { text } = renderDigest({ version: 1, group: "g", instance: "db-1", hour: new Date(hour).toISOString(), previous, objects: list });
    out.push({ key: digestKey("g", "db-1", hour), text });
  });
  return out;
}

const chainArb = fc.array(fc.array(objectArb, { maxLength: 4 }), { minLength: 2, maxLength: 8 }).map(chain);
const headOf = (c: StoredDigest[]) => ({ key: c[c.length - 1].key, sha256: sha256Hex(c[c.length - 1].text) });

describe("digests: format and chain", () => {
  it("the stored form reads back, and does not depend on the order objects were recorded in", () => {
    fc.assert(
      fc.property(fc.array(objectArb, { maxLength: 6 }), (objects) => {
        const d: Digest = { version: 1, group: "g", instance: "db-1", hour: new Date(T0).toISOString(), previous: null, objects };
        const { text, sha256 } = renderDigest(d);
        assert.equal(sha256, sha256Hex(text));
        const parsed = parseDigest(text);
        assert.ok("digest" in parsed);
        assert.equal(renderDigest(parsed.digest).text, text);
        assert.equal(renderDigest({ ...d, objects: [...objects].reverse() }).text, text);
      }),
    );
  });

  it("an intact chain checks clean, with or without its head", () => {
    fc.assert(
      fc.property(chainArb, (c) => {
        assert.deepEqual(checkDigestChain(c), []);
        assert.deepEqual(checkDigestChain([...c].reverse(), headOf(c)), []);
      }),
    );
  });

  it("a digest altered after it was written is named: by the next digest's link, or by the head for the newest", () => {
    fc.assert(
      fc.property(chainArb, fc.nat(), fc.nat(), (c, which, at) => {
        const i = which % c.length;
        const text = c[i].text;
        const pos = at % text.length;
        const altered = `${text.slice(0, pos)}${text[pos] === "0" ? "1" : "0"}${text.slice(pos + 1)}`;
        const head = headOf(c);
        const tampered = c.map((d, n) => (n === i ? { ...d, text: altered } : d));
        const findings = checkDigestChain(tampered, head);
        assert.ok(findings.some((f) => f.key === c[i].key), JSON.stringify(findings));
      }),
    );
  });

  it("a deleted digest is reported, wherever it was in the chain", () => {
    fc.assert(
      fc.property(chainArb, fc.nat(), (c, which) => {
        const i = which % c.length;
        const findings = checkDigestChain(c.filter((_, n) => n !== i), headOf(c));
        assert.ok(findings.length > 0);
        assert.ok(findings.some((f) => f.problem.includes("missing")), JSON.stringify(findings));
      }),
    );
  });

  it("a digest that is not a digest is reported as unreadable", () => {
    const c = chain([[], []]);
    const findings = checkDigestChain([{ ...c[0], text: "{" }, c[1]]);
    assert.equal(findings[0].key, c[0].key);
    assert.match(findings[0].problem, /unreadable/);
  });
});

describe("digests: objects against their latest entry", () => {
  it("an object as listed matches; any change to its size or metadata, or its deletion, is named", () => {
    fc.assert(
      fc.property(objectArb, fc.constantFrom("storedBytes", "bytes", "sha256", "file", "size", "lastWritten", "deleted"), (o, change) => {
        const now = { storedBytes: o.storedBytes, bytes: o.bytes, sha256: o.sha256, rds: { ...o.rds } };
        assert.deepEqual(checkObjectAgainstDigest(o, now), []);
        if (change === "deleted") return void assert.match(checkObjectAgainstDigest(o, undefined)[0], /deleted/);
        if (change === "storedBytes" || change === "bytes") now[change] += 1;
        else if (change === "sha256") now.sha256 = o.sha256.replace(/^./, (ch) => (ch === "a" ? "b" : "a"));
        else if (change === "file") now.rds.file += "x";
        else now.rds[change] += 1;
        assert.equal(checkObjectAgainstDigest(o, now).length, 1);
      }),
    );
  });

  it("a key listed again in a later digest is checked against its latest version", () => {
    const first = { key: "k", storedBytes: 1, bytes: 1, sha256: "a".repeat(64), rds: { instance: "i", file: "f", size: 1, lastWritten: 1 }, storedAt: new Date(T0).toISOString() };
    const later = { ...first, storedBytes: 2, storedAt: new Date(T0 + HOUR + 1).toISOString() };
    const d = (hour: number, objects: DigestObject[]): Digest => ({ version: 1, group: "g", instance: "i", hour: new Date(hour).toISOString(), previous: null, objects });
    assert.deepEqual(latestDigestEntries([d(T0 + HOUR, [later]), d(T0, [first])]).get("k"), later);
  });
});
