import assert from "node:assert/strict";
import fc from "fast-check";
import { archiveTargets, tieRankOf, type KeyResult } from "../../archiver/planning/archive-targets";
import { classifyListing, isClosed, type ClassifiedFile, type ListedFile } from "../../archiver/planning/log-file-names";
import { emptyManifest, type Manifest, type ManifestEntry } from "../../archiver/planning/manifest";
import {
  DEFAULT_GRACE_MS,
  DEFAULT_QUIET_MS,
  planInstance,
  presentTime,
  type PlanInput,
  type PlannedAction,
} from "../../archiver/planning/plan-instance";
import { ACTIVE_NAMES, DAY, HOUR, MINUTE, T0, applyCopies, at, copies, file, listingArb, nowArb } from "./helpers";

function plan(listing: ListedFile[], over: Partial<PlanInput> = {}) {
  return planInstance({
    instance: "db-1",
    group: "db-1",
    listing,
    manifest: emptyManifest(),
    now: at("2024-10-02T00:00"),
    include: [],
    activeRefreshMs: 0,
    ...over,
  });
}

function actionOf(actions: PlannedAction[], name: string): PlannedAction {
  const a = actions.find((x) => x.file.name === name);
  if (!a) throw new Error(`no action for ${name}`);
  return a;
}

/**
 * Whether the manifest's memory of f's tie group (chain members of f's family and LastWritten) disagrees with the
 * listing: an entry of the group whose rank no listed member holds, or whose listed member has another size.
 */
function tieGroupMemoryDisagrees(f: ClassifiedFile, all: readonly ClassifiedFile[], targets: Map<ClassifiedFile, KeyResult>, m: Manifest): boolean {
  if (f.kind !== "chain-member") return false;
  const { family } = f.chain;
  const sizeAtRank = new Map<number, number>();
  for (const o of all) {
    const t = targets.get(o);
    if (o.kind !== "chain-member" || !t || "error" in t) continue;
    const rank = tieRankOf(t.identity, family, f.file.lastWritten);
    if (rank !== undefined) sizeAtRank.set(rank, o.file.size);
  }
  return Object.entries(m.entries).some(([id, e]) => {
    const rank = tieRankOf(id, family, f.file.lastWritten);
    return rank !== undefined && sizeAtRank.get(rank) !== e.size;
  });
}

const SHIFTED_TIE = /changed ranks \(a newer one was deleted\)/;

function entry(over: Partial<ManifestEntry> & Pick<ManifestEntry, "key" | "file" | "size" | "lastWritten">): ManifestEntry {
  return { bytes: over.size, sha256: "x", archivedAt: T0, ...over };
}

/** A manifest built from the listing: for each archivable file, maybe an entry that matches, is stale, or is partial. */
const scenarioArb = fc
  .record({
    listing: listingArb,
    now: nowArb,
    choices: fc.array(
      fc.record({
        mode: fc.constantFrom("none", "match", "match", "stale-size", "stale-lw", "other-key"),
        partial: fc.boolean(),
        archivedAgo: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 * HOUR })),
      }),
      { minLength: 30, maxLength: 30 },
    ),
    junk: fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
    activeRefreshMs: fc.constantFrom(0, 0, 15 * MINUTE, HOUR),
  })
  .map(({ listing, now, choices, junk, activeRefreshMs }) => {
    const targets = archiveTargets("db-1", "db-1", classifyListing(listing));
    const entries: Record<string, ManifestEntry> = {};
    let i = 0;
    for (const [f, t] of targets) {
      const c = choices[i++ % choices.length];
      if ("error" in t || c.mode === "none") continue;
      entries[t.identity] = entry({
        key: c.mode === "other-key" ? `old/${t.key}` : t.key,
        file: f.file.name,
        size: f.file.size + (c.mode === "stale-size" ? 1 : 0),
        lastWritten: f.file.lastWritten - (c.mode === "stale-lw" ? 1 : 0),
        archivedAt: now - c.archivedAgo,
        ...(c.partial ? { partial: true } : {}),
      });
    }
    for (const j of junk) entries[`single:junk/${j}`] = entry({ key: `k/${j}`, file: `junk/${j}`, size: 1, lastWritten: T0 });
    const manifest: Manifest = { version: 1, entries };
    return { listing, now, manifest, activeRefreshMs };
  });

describe("planning/plan-instance", () => {
  describe("examples", () => {
    it("a MySQL instance: slots and closed dated files are copied, active and staging are skipped", () => {
      const now = at("2024-10-01T15:10");
      const listing = [
        file("slowquery/mysql-slowquery.log", now),
        file("slowquery/mysql-slowquery.log.14", at("2024-10-01T14:59:01")),
        file("error/mysql-error.log", now, 10),
        file("error/mysql-error-running.log", now),
        file("general/mysql-general.log.2024-10-01.13", at("2024-10-01T14:00:00.002")),
        file("general/mysql-general.log.2024-10-01.15", now),
        file("slowquery/mysql-slowquery.log.13", at("2024-10-01T14:00"), 0),
      ];
      const p = plan(listing, { now });
      const slot = actionOf(p.actions, "slowquery/mysql-slowquery.log.14");
      assert.deepEqual(slot, {
        action: "copy",
        file: listing[1],
        kind: "hourly-slot",
        identity: `slot:slowquery/mysql-slowquery.log.14@${at("2024-10-01T14:00")}`,
        key: "db-1/slowquery/2024/10/01/14/db-1/mysql-slowquery.log.14.gz",
        reason: "new",
        final: true,
        verify: "relist",
        unchanged: { contains: "slowquery/mysql-slowquery.log.14", files: [listing[1]] },
      });
      const dated = actionOf(p.actions, "general/mysql-general.log.2024-10-01.13");
      assert.equal(dated.action, "copy");
      // Still written to, or a staging buffer: waiting for a rotation; an empty slot has nothing to keep.
      for (const name of ["slowquery/mysql-slowquery.log", "error/mysql-error-running.log", "general/mysql-general.log.2024-10-01.15"]) {
        const a = actionOf(p.actions, name);
        assert.equal(a.action === "skip" && a.skip, "waiting", name);
      }
      const emptySlot = actionOf(p.actions, "slowquery/mysql-slowquery.log.13");
      assert.equal(emptySlot.action === "skip" && emptySlot.skip, "archived");
      assert.equal(dated.action === "copy" && dated.verify, "grown");
      assert.equal(actionOf(p.actions, "general/mysql-general.log.2024-10-01.15").action, "skip");
      for (const n of ["slowquery/mysql-slowquery.log", "error/mysql-error.log", "error/mysql-error-running.log"]) {
        assert.equal(actionOf(p.actions, n).action, "skip", n);
      }
      const empty = actionOf(p.actions, "slowquery/mysql-slowquery.log.13");
      assert.equal(empty.action, "skip");
      assert.equal(empty.action === "skip" && empty.reason, "empty");
      assert.equal(copies(p).length, 2);
      assert.deepEqual(
        [...p.listedIdentities].sort(),
        [
          `slot:slowquery/mysql-slowquery.log.13@${at("2024-10-01T13:00")}`,
          `slot:slowquery/mysql-slowquery.log.14@${at("2024-10-01T14:00")}`,
          "dated:general/mysql-general.log.2024-10-01.13",
          "dated:general/mysql-general.log.2024-10-01.15",
        ].sort(),
      );
    });

    it("an archived file with the same LastWritten and size is skipped; a grown one is copied again to the same key", () => {
      const name = "error/postgresql.log.2024-10-01-12";
      const lw = at("2024-10-01T13:00");
      const key = "db-1/error/2024/10/01/12/db-1/postgresql.log.2024-10-01-12.gz";
      const manifest: Manifest = { version: 1, entries: { [`dated:${name}`]: entry({ key, file: name, size: 100, lastWritten: lw }) } };
      const same = plan([file(name, lw, 100)], { manifest });
      assert.equal(same.actions[0].action, "skip");
      assert.equal(same.actions[0].action === "skip" && same.actions[0].reason, "already archived");
      assert.equal(same.actions[0].action === "skip" && same.actions[0].skip, "archived");
      const grown = plan([file(name, lw + 1000, 150)], { manifest });
      const c = grown.actions[0];
      assert.equal(c.action, "copy");
      assert.equal(c.action === "copy" && c.reason, "changed");
      assert.equal(c.action === "copy" && c.key, key);
      assert.equal(c.action === "copy" && c.replaces, undefined);
    });

    it("a .gz twin of a listed file is skipped; a .gz of an archived plain file is skipped; a lone .gz is copied", () => {
      const name = "error/postgresql.log.2024-10-01-12";
      const lw = at("2024-10-01T13:00");
      const both = plan([file(name, lw, 100), file(`${name}.gz`, lw, 30)]);
      assert.equal(actionOf(both.actions, name).action, "copy");
      const twin = actionOf(both.actions, `${name}.gz`);
      assert.equal(twin.action, "skip");
      assert.equal(twin.action === "skip" && twin.key, "db-1/error/2024/10/01/12/db-1/postgresql.log.2024-10-01-12.gz");
      assert.equal(copies(both).length, 1);

      const manifest = applyCopies(emptyManifest(), both, at("2024-10-02T00:00"));
      const compressed = plan([file(`${name}.gz`, lw, 30)], { manifest });
      assert.equal(compressed.actions[0].action, "skip", "compressed after it was archived: same content");
      // Written after the archived version, then compressed: the grown content is copied again to the same key.
      const grownThenCompressed = plan([file(`${name}.gz`, lw + HOUR, 30)], { manifest });
      const g = grownThenCompressed.actions[0];
      assert.equal(g.action, "copy");
      assert.equal(g.action === "copy" && g.key, "db-1/error/2024/10/01/12/db-1/postgresql.log.2024-10-01-12.gz");
      assert.equal(g.action === "copy" && g.replaces, undefined);

      const lone = plan([file(`${name}.gz`, lw, 30)]);
      const c = lone.actions[0];
      assert.equal(c.action, "copy");
      assert.equal(c.action === "copy" && c.identity, `dated:${name}`);
    });

    it("a changed single whose key moved to another hour replaces the old key; within the same hour it does not", () => {
      const name = "trace/alert_ORCL.log";
      const first = plan([file(name, at("2024-10-01T05:10"))], { now: at("2024-10-01T06:10") });
      const c1 = copies(first)[0];
      assert.equal(c1.key, "db-1/trace/2024/10/01/05/db-1/alert_ORCL.log.gz");
      const manifest = applyCopies(emptyManifest(), first, at("2024-10-01T06:10"));

      const moved = plan([file(name, at("2024-10-01T07:20"), 200)], { manifest, now: at("2024-10-01T08:30") });
      const c2 = copies(moved)[0];
      assert.equal(c2.key, "db-1/trace/2024/10/01/07/db-1/alert_ORCL.log.gz");
      assert.equal(c2.reason, "changed");
      assert.equal(c2.replaces, c1.key);

      const sameHour = plan([file(name, at("2024-10-01T05:50"), 200)], { manifest, now: at("2024-10-01T07:00") });
      const c3 = copies(sameHour)[0];
      assert.equal(c3.key, c1.key);
      assert.equal(c3.replaces, undefined);
      assert.equal(c3.final, true);
      // Not quiet for an hour yet: not copied.
      const notQuiet = plan([file(name, at("2024-10-01T06:30"), 200)], { manifest, now: at("2024-10-01T07:00") });
      assert.equal(notQuiet.actions[0].action, "skip");
    });

    it("unmappable names are rejected: empty file part, key too long", () => {
      const long = `trace/${"x".repeat(1100)}`;
      const p = plan([file("error/", T0), file(long, T0)], { now: T0 + DAY });
      const empty = actionOf(p.actions, "error/");
      assert.equal(empty.action, "reject");
      assert.match(empty.action === "reject" ? empty.reason : "", /empty file name part/);
      const tooLong = actionOf(p.actions, long);
      assert.equal(tooLong.action, "reject");
      assert.match(tooLong.action === "reject" ? tooLong.reason : "", /over S3's 1024/);
      assert.equal(p.listedIdentities.size, 0);
    });

    it("include prefixes filter by name prefix", () => {
      const now = at("2024-10-02T00:00");
      const listing = [file("error/postgresql.log.2024-10-01-12"), file("trace/alert_ORCL.log"), file("audit/audit.log.0.2024-10-01-12-00.1")];
      const p = plan(listing, { now, include: ["error/", "audit/"] });
      assert.deepEqual(copies(p).map((c) => c.file.name).sort(), ["audit/audit.log.0.2024-10-01-12-00.1", "error/postgresql.log.2024-10-01-12"]);
      const skipped = actionOf(p.actions, "trace/alert_ORCL.log");
      assert.equal(skipped.action === "skip" && skipped.reason, "excluded by --include");
      assert.equal(skipped.action === "skip" && skipped.skip, "excluded");
      // A prefix, not a substring.
      assert.equal(copies(plan(listing, { now, include: ["postgresql", "alert"] })).length, 0);
      // Excluded files still count as listed: their manifest entries are not pruned.
      assert.ok(p.listedIdentities.has("single:trace/alert_ORCL.log"));
    });

    it("a name with a leading slash is copied under its own key, beside the same name without it", () => {
      const lw = at("2024-10-01T05:00");
      const p = plan([file("/foo", lw), file("foo", lw), file("/error/postgresql.log.2024-10-01-03", lw)], { now: lw + DAY });
      assert.deepEqual(
        p.actions.map((a) => [a.action, a.file.name, a.action === "copy" ? a.key : ""]),
        [
          ["copy", "/foo", "db-1/_root/2024/10/01/05/db-1/%2Ffoo.gz"],
          ["copy", "foo", "db-1/_root/2024/10/01/05/db-1/foo.gz"],
          ["copy", "/error/postgresql.log.2024-10-01-03", "db-1/_root/2024/10/01/03/db-1/%2Ferror%2Fpostgresql.log.2024-10-01-03.gz"],
        ],
      );
    });

    it("two files that map to one key are both rejected, never copied over each other", () => {
      // `foo` and `_root/foo` collide today (see layout/archive-key: the `_root` logtype); should the layout change,
      // they must get two keys and both be copied.
      const lw = at("2024-10-01T05:00");
      const p = plan([file("foo", lw), file("_root/foo", lw)], { now: lw + DAY });
      const [a, b] = p.actions;
      if (a.action === "copy" && b.action === "copy") assert.notEqual(a.key, b.key);
      else {
        assert.equal(a.action, "reject");
        assert.equal(b.action, "reject");
        assert.match(a.action === "reject" ? a.reason : "", /would hold more than one file/);
      }
    });

    it("active refresh: only open, uncompressed dated files, at most every activeRefreshMs, never final", () => {
      const name = "error/postgresql.log.2024-10-01-12";
      const now = at("2024-10-01T12:40");
      const listing = [file(name, now - 1000, 500), file("slowquery/mysql-slowquery.log", now), file("trace/alert_ORCL.log", now)];
      const off = plan(listing, { now });
      assert.equal(copies(off).length, 0);
      const on = plan(listing, { now, activeRefreshMs: 15 * MINUTE });
      assert.equal(copies(on).length, 1);
      const r = copies(on)[0];
      assert.equal(r.file.name, name);
      assert.equal(r.reason, "refresh");
      assert.equal(r.final, false);
      const m1 = applyCopies(emptyManifest(), on, now);
      assert.equal(m1.entries[`dated:${name}`].partial, true);

      const grown = [file(name, now + 5 * MINUTE, 900)];
      assert.equal(copies(plan(grown, { now: now + 10 * MINUTE, manifest: m1, activeRefreshMs: 15 * MINUTE })).length, 0, "refreshed 10 min ago");
      const again = copies(plan(grown, { now: now + 15 * MINUTE, manifest: m1, activeRefreshMs: 15 * MINUTE }));
      assert.equal(again.length, 1);
      assert.equal(again[0].reason, "refresh");
      // Unchanged since the last refresh: not refreshed again, however long ago it was.
      assert.equal(copies(plan([file(name, now - 1000, 500)], { now: now + 18 * MINUTE, manifest: m1, activeRefreshMs: 15 * MINUTE })).length, 0);
      // Once closed, the final version is copied even when the listing did not change since the refresh.
      const closed = copies(plan([file(name, now - 1000, 500)], { now: at("2024-10-01T13:10"), manifest: m1, activeRefreshMs: 15 * MINUTE }));
      assert.equal(closed.length, 1);
      assert.equal(closed[0].final, true);
      // A compressed open file is never refreshed.
      const gz = plan([file(`${name}.gz`, now - 1000, 500)], { now, activeRefreshMs: 15 * MINUTE });
      assert.equal(copies(gz).length, 0);
    });

    // Was a bug: refresh came before the size-0 rule, so an empty listing replaces what an earlier refresh archived.
    it("an empty listing never replaces a refreshed object", () => {
      const name = "error/postgresql.log.2024-10-01-12";
      const now = at("2024-10-01T12:40");
      const first = plan([file(name, now - 1000, 500)], { now, activeRefreshMs: 15 * MINUTE });
      assert.equal(copies(first).length, 1);
      const manifest = applyCopies(emptyManifest(), first, now);
      const empty = plan([file(name, now + 16 * MINUTE, 0)], { now: now + 17 * MINUTE, manifest, activeRefreshMs: 15 * MINUTE });
      assert.deepEqual(copies(empty).map((c) => `${c.reason} of ${c.file.size} bytes to ${c.key}`), []);
    });

    it("audit chain: members are copied under LastWritten-stamped keys, verified by relisting", () => {
      const t = at("2024-10-01T12:00");
      const listing = [file("audit/server_audit.log", t + 10), file("audit/server_audit.log.1", t + 5), file("audit/server_audit.log.2", t)];
      const p = plan(listing, { now: t + MINUTE });
      assert.deepEqual(
        copies(p).map((c) => [c.file.name, c.key, c.verify, c.kind]),
        [
          ["audit/server_audit.log.1", "db-1/audit/2024/10/01/12/db-1/server_audit.log.20241001T120000005Z.gz", "relist", "chain-member"],
          ["audit/server_audit.log.2", "db-1/audit/2024/10/01/12/db-1/server_audit.log.20241001T120000000Z.gz", "relist", "chain-member"],
        ],
      );
      // After a rotation, the same contents have new names but the same keys: nothing to copy but the new member.
      const m = applyCopies(emptyManifest(), p, t + MINUTE);
      const rotated = [file("audit/server_audit.log", t + 2 * MINUTE), file("audit/server_audit.log.1", t + 10), file("audit/server_audit.log.2", t + 5), file("audit/server_audit.log.3", t)];
      const p2 = plan(rotated, { now: t + 2 * MINUTE, manifest: m });
      assert.deepEqual(copies(p2).map((c) => c.file.name), ["audit/server_audit.log.1"]);
    });
  });

  describe("properties over random listings and manifests", () => {
    const RUNS = { numRuns: 200 };
    const input = (s: { listing: ListedFile[]; now: number; manifest: Manifest; activeRefreshMs: number }, over: Partial<PlanInput> = {}): PlanInput => ({
      instance: "db-1", group: "db-1", include: [], ...s, ...over,
    });

    it("copy keys and identities are unique within a plan; each copy's key and identity are its archive target's", () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const p = planInstance(input(s));
          const targets = new Map([...archiveTargets("db-1", "db-1", classifyListing(s.listing))].map(([f, t]) => [f.file.name, t]));
          const keys = new Set<string>();
          const ids = new Set<string>();
          for (const c of copies(p)) {
            assert.ok(!keys.has(c.key), `two copies to ${c.key}`);
            assert.ok(!ids.has(c.identity), `two copies of ${c.identity}`);
            keys.add(c.key);
            ids.add(c.identity);
            const t = targets.get(c.file.name)!;
            assert.ok("key" in t);
            assert.equal(c.key, t.key);
            assert.equal(c.identity, t.identity);
            assert.ok(p.listedIdentities.has(c.identity));
          }
          assert.equal(p.actions.length, s.listing.length, "one action per listed file");
          p.actions.forEach((a, i) => assert.equal(a.file, s.listing[i]));
        }),
        RUNS,
      );
    });

    it("a file whose (identity, LastWritten, Size) matches a final manifest entry is never copied", () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          for (const c of copies(planInstance(input(s)))) {
            const e = s.manifest.entries[c.identity];
            const matches = e !== undefined && !e.partial && e.lastWritten === c.file.lastWritten && e.size === c.file.size;
            assert.ok(!matches, `${c.file.name} copied again though archived as listed`);
          }
        }),
        RUNS,
      );
    });

    it("active and staging files are never copied nor rejected; copies are only of closed files or refreshes", () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const p = planInstance(input(s));
          const all = classifyListing(s.listing);
          const rule = { now: presentTime(s.now, s.listing), graceMs: DEFAULT_GRACE_MS, quietMs: DEFAULT_QUIET_MS };
          p.actions.forEach((a, i) => {
            const f = all[i];
            if (f.kind === "active" || f.kind === "staging" || ACTIVE_NAMES.includes(f.file.name) || f.file.name === "error/mysql-error.log") {
              assert.equal(a.action, "skip", `${f.file.name} (${f.kind})`);
            }
            if (a.action === "copy") {
              assert.notEqual(a.kind, "active");
              assert.notEqual(a.kind, "staging");
              if (a.final) assert.ok(isClosed(f, all, rule), `${f.file.name} copied as final while open`);
              else assert.equal(a.reason, "refresh");
            }
          });
        }),
        RUNS,
      );
    });

    it("include prefixes: nothing outside them is copied or rejected", () => {
      fc.assert(
        fc.property(scenarioArb, fc.array(fc.constantFrom("error/", "audit/", "slowquery/mysql-slowquery.log.", "log/", "log.", "mysql", "trace/", "x", "foo"), { minLength: 1, maxLength: 3 }), (s, include) => {
          const p = planInstance(input(s, { include }));
          const unfiltered = planInstance(input(s));
          p.actions.forEach((a, i) => {
            const inside = include.some((pre) => a.file.name.startsWith(pre));
            if (!inside) {
              assert.equal(a.action, "skip");
              assert.equal(a.action === "skip" && a.reason, "excluded by --include");
            } else {
              assert.deepEqual(a, unfiltered.actions[i], "the filter changes nothing inside it");
            }
          });
        }),
        RUNS,
      );
    });

    it("with activeRefreshMs = 0 every copy is final", () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          for (const c of copies(planInstance(input(s, { activeRefreshMs: 0 })))) {
            assert.equal(c.final, true);
            assert.notEqual(c.reason, "refresh");
          }
        }),
        RUNS,
      );
    });

    it("with refresh on: refreshes only of open, uncompressed dated files, not more often than activeRefreshMs", () => {
      fc.assert(
        fc.property(scenarioArb, fc.constantFrom(MINUTE, 15 * MINUTE, HOUR), (s, activeRefreshMs) => {
          const p = planInstance(input(s, { activeRefreshMs }));
          const all = classifyListing(s.listing);
          for (const c of copies(p)) {
            if (c.final) continue;
            assert.equal(c.reason, "refresh");
            assert.equal(c.kind, "dated");
            assert.ok(!c.file.name.endsWith(".gz"), c.file.name);
            const f = all.find((x) => x.file === c.file)!;
            assert.equal(isClosed(f, all, { now: s.now, graceMs: DEFAULT_GRACE_MS, quietMs: DEFAULT_QUIET_MS }), false);
            const e = s.manifest.entries[c.identity];
            if (e) {
              assert.ok(s.now - e.archivedAt >= activeRefreshMs, `refreshed ${s.now - e.archivedAt} ms after the last copy`);
              assert.ok(!(e.lastWritten === c.file.lastWritten && e.size === c.file.size), "refresh of an unchanged file");
            }
          }
        }),
        RUNS,
      );
    });

    it("a .gz twin of a listed uncompressed dated file is never copied", () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const names = new Set(s.listing.map((f) => f.name));
          for (const c of copies(planInstance(input(s)))) {
            if (c.kind === "dated" && c.file.name.endsWith(".gz")) assert.ok(!names.has(c.file.name.slice(0, -3)), c.file.name);
          }
        }),
        RUNS,
      );
    });

    it("replaces is set exactly when a manifest entry of the same identity has another key", () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          for (const c of copies(planInstance(input(s)))) {
            const e = s.manifest.entries[c.identity];
            if (e && e.key !== c.key) assert.equal(c.replaces, e.key);
            else assert.equal(c.replaces, undefined);
          }
        }),
        RUNS,
      );
    });

    it("rejects are exactly the files without a safe key (or colliding keys)", () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const p = planInstance(input(s));
          const all = classifyListing(s.listing);
          const targets = archiveTargets("db-1", "db-1", all);
          p.actions.forEach((a, i) => {
            const t = targets.get(all[i]);
            if (t && "error" in t) assert.equal(a.action, "reject", `${JSON.stringify(all[i].file.name)}: ${t.error}`);
            if (a.action !== "reject") return;
            const shiftedTie = SHIFTED_TIE.test(a.reason) && tieGroupMemoryDisagrees(all[i], all, targets, s.manifest);
            assert.ok(t !== undefined && ("error" in t || /would hold more than one file/.test(a.reason) || shiftedTie), a.reason);
          });
        }),
        RUNS,
      );
    });

    it("liveness: a closed, non-empty file that is not archived as listed is copied (final)", () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const p = planInstance(input(s, { activeRefreshMs: 0 }));
          const all = classifyListing(s.listing);
          const targets = archiveTargets("db-1", "db-1", all);
          const plain = new Set(s.listing.map((f) => f.name));
          const rule = { now: presentTime(s.now, s.listing), graceMs: DEFAULT_GRACE_MS, quietMs: DEFAULT_QUIET_MS };
          p.actions.forEach((a, i) => {
            const f = all[i];
            const t = targets.get(f);
            if (!t || "error" in t || f.file.size === 0 || !isClosed(f, all, rule)) return;
            const dated = f.kind === "dated" ? f.dated : undefined;
            if (dated?.compressed && plain.has(dated.logicalName)) return; // twin
            const e = s.manifest.entries[t.identity];
            const archivedAsListed = e !== undefined && !e.partial && e.lastWritten === f.file.lastWritten && e.size === f.file.size;
            const compressedSinceArchived = e !== undefined && !e.partial && dated?.compressed === true && e.file !== f.file.name && f.file.lastWritten <= e.lastWritten;
            if (archivedAsListed || compressedSinceArchived) {
              assert.equal(a.action, "skip", f.file.name);
              return;
            }
            if (a.action === "reject" && tieGroupMemoryDisagrees(f, all, targets, s.manifest)) assert.match(a.reason, SHIFTED_TIE);
            else if (a.action === "reject") assert.match(a.reason, /would hold more than one file/);
            else {
              assert.equal(a.action, "copy", `${f.file.name} (${f.kind}) not copied: ${JSON.stringify(a)}`);
              assert.equal(a.action === "copy" && a.final, true);
              assert.equal(a.action === "copy" && a.reason, e ? "changed" : "new");
            }
          });
        }),
        RUNS,
      );
    });

    // Was a bug: the refresh path ran before the "empty" check, so an open dated file listed with Size 0 is refreshed
    // over its archived object (see the example "an empty listing never replaces a refreshed object").
    it("an empty listing is never copied over archived content, and no final copy is empty", () => {
      fc.assert(
        fc.property(scenarioArb, fc.constantFrom(MINUTE, 15 * MINUTE), (s0, activeRefreshMs) => {
          const s = { ...s0, activeRefreshMs };
          for (const c of copies(planInstance(input(s)))) {
            if (c.final) assert.notEqual(c.file.size, 0, `${c.file.name}: empty final copy`);
            const e = s.manifest.entries[c.identity];
            if (e && e.size > 0) assert.notEqual(c.file.size, 0, `${c.file.name}: empty ${c.reason} copy over ${e.size} archived bytes`);
          }
        }),
        { numRuns: 1000 },
      );
    });

    it("idempotence: after recording the plan's copies, re-planning the same listing copies nothing", () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const first = planInstance(input(s));
          const manifest = applyCopies(s.manifest, first, s.now);
          const second = planInstance(input(s, { manifest }));
          assert.deepEqual(copies(second).map((c) => c.file.name), []);
          // Later, with no change in the listing, files that closed meanwhile are copied, but none archived as listed.
          const later = s.now + 2 * DAY;
          const third = planInstance(input(s, { manifest, now: later }));
          for (const c of copies(third)) {
            const e = manifest.entries[c.identity];
            assert.ok(!(e && !e.partial && e.size === c.file.size && e.lastWritten === c.file.lastWritten), `${c.file.name} copied again at now+2d (${c.reason})`);
          }
          const fourth = planInstance(input(s, { manifest: applyCopies(manifest, third, later), now: later }));
          assert.equal(copies(fourth).length, 0);
        }),
        RUNS,
      );
    });
  });
});

describe("planning/plan-instance: what a chain member's copy must find unchanged", () => {
  it("its whole family, so tied members cannot trade places unseen during the download", () => {
    const t = T0 + 12 * HOUR;
    const listing = [
      file("log/ERROR", t + 5, 40),
      file("log/ERROR.1", t, 80),
      file("log/ERROR.2", t, 80),
      file("log/SQLAGENT.OUT", t, 10),
    ];
    const p = planInstance({ instance: "db-1", group: "db-1", listing, manifest: emptyManifest(), now: t + HOUR, include: [], activeRefreshMs: 0 });
    const copy = p.actions.find((a) => a.file.name === "log/ERROR.2");
    assert.ok(copy && copy.action === "copy");
    assert.deepEqual(copy.unchanged, { contains: "ERROR", files: listing.slice(0, 3) });
  });
});
