import assert from "node:assert/strict";
import fc from "fast-check";
import { findGaps, watchList } from "../../archiver/planning/gaps";
import { classifyListing, type ListedFile } from "../../archiver/planning/log-file-names";
import { emptyManifest, type Manifest } from "../../archiver/planning/manifest";
import { planInstance } from "../../archiver/planning/plan-instance";
import { applyCopies, file, HOUR, listingArb, nowArb, T0, targetsByName } from "./helpers";

const TARGET = { group: "g", instance: "db-1" };
const gapsAfter = (before: readonly ListedFile[], after: readonly ListedFile[], m: Manifest = emptyManifest()) =>
  findGaps(TARGET, watchList(TARGET.group, TARGET.instance, before, m), after, m, T0 + 99 * HOUR).map((g) => g.file);

/** The state after a run that archived every closed file of the listing. */
function archivedAll(listing: readonly ListedFile[], now: number): Manifest {
  const plan = planInstance({ ...TARGET, listing, manifest: emptyManifest(), now, include: [], activeRefreshMs: 0 });
  return applyCopies(emptyManifest(), plan, now);
}

describe("planning/gaps", () => {
  it("nothing gone, no gap", () => {
    fc.assert(fc.property(listingArb, nowArb, fc.boolean(), (listing, now, archived) => {
      assert.deepEqual(gapsAfter(listing, listing, archived ? archivedAll(listing, now) : emptyManifest()), []);
    }));
  });

  it("a gap is a removed, non-empty file the state does not hold archived; an archived or empty file is never one", () => {
    fc.assert(fc.property(listingArb, nowArb, fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), (listing, now, keep) => {
      const m = archivedAll(listing, now);
      const after = listing.filter((_, n) => keep[n]);
      const removed = new Set(listing.filter((_, n) => !keep[n]).map((f) => f.name));
      const targets = targetsByName(listing);
      for (const name of gapsAfter(listing, after, m)) {
        assert.ok(removed.has(name), `${name} is still listed`);
        const f = listing.find((l) => l.name === name)!;
        assert.ok(f.size > 0, `${name} is empty`);
        const t = targets.get(name);
        if (t && "identity" in t) assert.ok(!m.entries[t.identity] || m.entries[t.identity].partial, `${name} is archived`);
      }
    }));
  });

  it("a chain member gone while its active file stays as it was listed: the member is the gap, not the active file", () => {
    // Was a bug found by the property above: the active file was counted lost although it had not rotated.
    const before = [file("audit/server_audit.log", T0, 1), file("audit/server_audit.log.1", T0, 1)];
    assert.deepEqual(gapsAfter(before, [before[0]]), ["audit/server_audit.log.1"]);
  });

  it("with nothing archived, removing one non-empty dated or single file is exactly one gap", () => {
    fc.assert(fc.property(listingArb, fc.nat(), (listing, pick) => {
      const kinds = classifyListing(listing);
      const candidates = kinds.filter((c) => (c.kind === "dated" || c.kind === "single") && c.file.size > 0 && "identity" in (targetsByName(listing).get(c.file.name) ?? {}));
      fc.pre(candidates.length > 0);
      const gone = candidates[pick % candidates.length].file;
      // Its identity must not live on under another listed name (a .gz twin).
      const id = (targetsByName(listing).get(gone.name) as { identity: string }).identity;
      const after = listing.filter((f) => f !== gone);
      fc.pre(![...targetsByName(after).values()].some((t) => "identity" in t && t.identity === id));
      assert.deepEqual(gapsAfter(listing, after), [gone.name]);
    }));
  });

  it("a chain rotating under its names is no gap; a chain that rotated past every member listed loses the active file's content", () => {
    const t = T0 + 10 * HOUR;
    const chain = (shift: number, count: number) => [
      file("audit/server_audit.log", t + shift * 60_000 + 30_000, 500),
      ...Array.from({ length: count }, (_, n) => file(`audit/server_audit.log.${n + 1}`, t + (shift - n) * 60_000, 1000)),
    ];
    const before = chain(0, 5);
    const m = archivedAll(before, t + HOUR);
    assert.deepEqual(gapsAfter(before, chain(2, 5), m), [], "two rotations: the members listed before are still listed, renamed");
    assert.deepEqual(gapsAfter(before, chain(9, 5), m), ["audit/server_audit.log"], "nine rotations past a chain of five");
    assert.deepEqual(gapsAfter([file("audit/server_audit.log", t, 0), ...before.slice(1)], chain(9, 5), m), [], "an empty active file holds nothing");
  });

  it("an hourly slot log's active file is a gap only once its hour's slot is gone unarchived", () => {
    const active = (lw: number) => file("slowquery/mysql-slowquery.log", lw, 300);
    const before = [active(T0 + 10 * HOUR + 5 * 60_000)];
    assert.deepEqual(gapsAfter(before, [active(T0 + 10 * HOUR + 20 * 60_000)]), [], "still the same hour");
    const slot = file("slowquery/mysql-slowquery.log.10", T0 + 10 * HOUR + 59 * 60_000, 400);
    assert.deepEqual(gapsAfter(before, [active(T0 + 11 * HOUR + 5 * 60_000), slot]), [], "rotated to its slot, which is listed");
    assert.deepEqual(gapsAfter(before, [active(T0 + 35 * HOUR)]), ["slowquery/mysql-slowquery.log"], "its slot was overwritten a day later");
  });
});
