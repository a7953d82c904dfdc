import assert from "node:assert/strict";
import fc from "fast-check";
import {
  emptyManifest,
  mergeManifest,
  parseManifest,
  serializeManifest,
  type Manifest,
  type ManifestEntry,
} from "../../archiver/planning/manifest";
import { T0 } from "./helpers";

function e(over: Partial<ManifestEntry> = {}): ManifestEntry {
  return { key: "g/error/2024/10/01/12/i/x.gz", file: "error/x", size: 10, lastWritten: T0, bytes: 10, sha256: "aa", archivedAt: T0, ...over };
}

const entryArb: fc.Arbitrary<ManifestEntry> = fc
  .record({
    key: fc.string({ unit: "binary", maxLength: 30 }),
    file: fc.string({ unit: "binary", maxLength: 30 }),
    size: fc.nat(),
    lastWritten: fc.integer({ min: 0, max: 2 ** 42 }),
    bytes: fc.nat(),
    sha256: fc.stringMatching(/^[0-9a-f]{0,64}$/),
    archivedAt: fc.integer({ min: 0, max: 2 ** 42 }),
    partial: fc.option(fc.constant(true), { nil: undefined }),
  })
  .map(({ partial, ...rest }) => (partial ? { ...rest, partial } : rest));

/** Identities as the planner makes them: always a kind prefix. */
const identityArb = fc.oneof(
  fc.string({ unit: "binary", maxLength: 20 }).map((s) => `dated:${s}`),
  fc.string({ unit: "binary", maxLength: 20 }).map((s) => `single:${s}`),
  fc.tuple(fc.string({ maxLength: 8 }), fc.nat(), fc.nat({ max: 3 })).map(([f, t, r]) => `chain:${f}@${t}#${r}`),
  fc.constantFrom("dated:a", "dated:b", "single:a", "slot:x@0"),
);

const manifestArb: fc.Arbitrary<Manifest> = fc
  .dictionary(identityArb, entryArb, { maxKeys: 8 })
  .map((entries) => ({ version: 1 as const, entries: Object.fromEntries(Object.entries(entries)) }));

describe("planning/manifest", () => {
  describe("parseManifest", () => {
    it("anything unreadable is the empty manifest, never an exception", () => {
      const garbage = [
        undefined, "", " ", "null", "true", "1", "\"x\"", "[]", "{}", "{\"version\":2,\"entries\":{}}",
        "{\"version\":\"1\",\"entries\":{}}", "{\"version\":1}", "{\"version\":1,\"entries\":null}",
        "{\"version\":1,\"entries\":\"x\"}", "{\"version\":1,\"entries\":{\"a\":", "{\"version\":1,\"entries\":{\"a\":null}}",
        "<Error>AccessDenied</Error>", "\u0000\u0001", "{\"version\":1,\"entries\":{}}garbage",
      ];
      for (const g of garbage) assert.deepEqual(parseManifest(g), emptyManifest(), JSON.stringify(g));
    });

    it("property: never throws, and always returns a version-1 manifest of well-formed entries", () => {
      const jsonish = fc.oneof(
        fc.string({ unit: "binary" }),
        fc.json(),
        fc.jsonValue().map((v) => JSON.stringify({ version: 1, entries: v })),
        fc.dictionary(fc.string(), fc.jsonValue()).map((d) => JSON.stringify({ version: 1, entries: d })),
        manifestArb.map((m) => serializeManifest(m)).chain((t) => fc.nat({ max: t.length }).map((n) => t.slice(0, n))),
      );
      fc.assert(
        fc.property(jsonish, (text) => {
          const m = parseManifest(text);
          assert.equal(m.version, 1);
          for (const [, x] of Object.entries(m.entries)) {
            assert.equal(typeof x.key, "string");
            assert.equal(typeof x.file, "string");
            assert.equal(typeof x.sha256, "string");
            for (const n of [x.size, x.lastWritten, x.bytes, x.archivedAt]) assert.ok(Number.isFinite(n));
          }
        }),
        { numRuns: 300 },
      );
    });

    it("keeps the well-formed entries and drops the malformed ones", () => {
      const good = e();
      const text = JSON.stringify({
        version: 1,
        entries: {
          "dated:good": good,
          "dated:no-sha": { ...good, sha256: undefined },
          "dated:str-size": { ...good, size: "10" },
          "dated:null": null,
          "dated:array": [1],
          "dated:inf": { ...good, lastWritten: "Infinity" },
        },
      });
      assert.deepEqual(parseManifest(text), { version: 1, entries: { "dated:good": good } });
    });
  });

  describe("serializeManifest", () => {
    it("sorts entries by identity and round-trips", () => {
      const m: Manifest = { version: 1, entries: { "single:b": e({ key: "b" }), "dated:a": e({ key: "a" }), "chain:c@1#0": e({ key: "c", partial: true }) } };
      const text = serializeManifest(m);
      assert.deepEqual(Object.keys(JSON.parse(text).entries), ["chain:c@1#0", "dated:a", "single:b"]);
      assert.deepEqual(parseManifest(text), m);
    });

    it("property: parse(serialize(m)) deep-equals m, and serialize is canonical", () => {
      fc.assert(
        fc.property(manifestArb, (m) => {
          const text = serializeManifest(m);
          const back = parseManifest(text);
          assert.deepEqual(back, m);
          assert.equal(serializeManifest(back), text);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe("mergeManifest", () => {
    const runStartedAt = T0 + 1000;

    it("keeps another run's entries, adds this run's, drops unlisted old ones, keeps unlisted entries written after the run started", () => {
      const start: Manifest = { version: 1, entries: { "dated:old": e({ archivedAt: T0 }), "dated:kept": e({ archivedAt: T0 }) } };
      const latest: Manifest = {
        version: 1,
        entries: {
          ...start.entries,
          "dated:theirs-listed": e({ archivedAt: T0 + 500, sha256: "t1" }),
          "dated:theirs-unlisted-new": e({ archivedAt: runStartedAt + 10, sha256: "t2" }),
          "dated:theirs-unlisted-at-start": e({ archivedAt: runStartedAt, sha256: "t3" }),
          "dated:theirs-unlisted-old": e({ archivedAt: runStartedAt - 1, sha256: "t4" }),
        },
      };
      const mine = e({ archivedAt: runStartedAt + 20, sha256: "m1" });
      const merged = mergeManifest({
        start,
        latest,
        written: { "dated:mine": mine },
        listed: new Set(["dated:kept", "dated:theirs-listed", "dated:mine"]),
        runStartedAt,
      });
      assert.deepEqual(Object.keys(merged.entries).sort(), [
        "dated:kept",
        "dated:mine",
        "dated:theirs-listed",
        "dated:theirs-unlisted-at-start",
        "dated:theirs-unlisted-new",
      ]);
      assert.equal(merged.entries["dated:mine"], mine);
      assert.equal(merged.entries["dated:theirs-listed"].sha256, "t1");
    });

    it("drops an entry that another run wrote differently since this run read the state", () => {
      const start: Manifest = { version: 1, entries: { "dated:x": e({ sha256: "v0", size: 5 }) } };
      const latest: Manifest = { version: 1, entries: { "dated:x": e({ sha256: "theirs", size: 7 }) } };
      const merged = mergeManifest({ start, latest, written: { "dated:x": e({ sha256: "mine", size: 9, archivedAt: runStartedAt }) }, listed: new Set(["dated:x"]), runStartedAt });
      assert.deepEqual(merged.entries, {});
      // Written by the other run only after this run started (absent from start): also a disagreement.
      const merged2 = mergeManifest({ start: emptyManifest(), latest, written: { "dated:x": e({ sha256: "mine" }) }, listed: new Set(["dated:x"]), runStartedAt });
      assert.deepEqual(merged2.entries, {});
    });

    it("keeps this run's entry when the other run wrote the same bytes, or did not touch the entry", () => {
      const start: Manifest = { version: 1, entries: { "dated:x": e({ sha256: "v0" }) } };
      const mine = e({ sha256: "same", size: 9, archivedAt: runStartedAt + 1 });
      const sameBytes = mergeManifest({ start, latest: { version: 1, entries: { "dated:x": e({ sha256: "same", archivedAt: T0 + 5 }) } }, written: { "dated:x": mine }, listed: new Set(["dated:x"]), runStartedAt });
      assert.equal(sameBytes.entries["dated:x"], mine);
      const untouched = mergeManifest({ start, latest: start, written: { "dated:x": mine }, listed: new Set(["dated:x"]), runStartedAt });
      assert.equal(untouched.entries["dated:x"], mine);
      const deletedByThem = mergeManifest({ start, latest: emptyManifest(), written: { "dated:x": mine }, listed: new Set(["dated:x"]), runStartedAt });
      assert.equal(deletedByThem.entries["dated:x"], mine);
    });

    it("property: the merge rules, entry by entry", () => {
      const scenario = fc.record({
        start: manifestArb,
        latest: manifestArb,
        written: fc.dictionary(identityArb, entryArb, { maxKeys: 5 }),
        listedPick: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        runStartedAt: fc.integer({ min: 0, max: 2 ** 42 }),
        shareFromStart: fc.boolean(),
      });
      fc.assert(
        fc.property(scenario, ({ start, latest: latest0, written, listedPick, runStartedAt, shareFromStart }) => {
          // Often `latest` is `start` plus changes: make that likely.
          const latest: Manifest = shareFromStart ? { version: 1, entries: { ...start.entries, ...latest0.entries } } : latest0;
          const ids = [...new Set([...Object.keys(start.entries), ...Object.keys(latest.entries), ...Object.keys(written)])].sort();
          const listed = new Set(ids.filter((_, i) => listedPick[i % listedPick.length]));
          const merged = mergeManifest({ start, latest, written, listed, runStartedAt });
          for (const id of ids) {
            const got = merged.entries[id];
            const mine = written[id];
            const theirs = latest.entries[id];
            const pruned = (x: ManifestEntry) => !listed.has(id) && x.archivedAt < runStartedAt;
            if (mine) {
              const s0 = start.entries[id];
              const same = theirs !== undefined && s0 !== undefined && theirs.key === s0.key && theirs.sha256 === s0.sha256 && theirs.lastWritten === s0.lastWritten && theirs.size === s0.size;
              const conflict = theirs !== undefined && !same && theirs.sha256 !== mine.sha256;
              if (conflict || pruned(mine)) assert.equal(got, undefined, id);
              else assert.equal(got, mine, id);
            } else if (theirs) {
              if (pruned(theirs)) assert.equal(got, undefined, id);
              else assert.equal(got, theirs, id);
            } else {
              assert.equal(got, undefined, `${id} came from nowhere`);
            }
          }
          assert.deepEqual(Object.keys(merged.entries).filter((id) => !ids.includes(id)), []);
        }),
        { numRuns: 300 },
      );
    });
  });
});
