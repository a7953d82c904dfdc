import assert from "node:assert/strict";
import fc from "fast-check";
import { emptyManifest } from "../../archiver/planning/manifest";
import { planInstance, type CopyAction } from "../../archiver/planning/plan-instance";
import { archivedEntry, rebuildManifest, rebuildTargets, type ArchivedVersion } from "../../archiver/planning/rebuild-manifest";
import type { ListedFile } from "../../archiver/planning/log-file-names";
import { copies, file, listingArb, nowArb, T0, HOUR } from "./helpers";

const G = "g";
const I = "db-1";

function plan(listing: readonly ListedFile[], manifest = emptyManifest(), now = T0) {
  return planInstance({ instance: I, group: G, listing, manifest, now, include: [], activeRefreshMs: 0 });
}

/** The archive a run with no state leaves: one object per copy, with the metadata the sync writes. */
function archiveOf(cs: readonly CopyAction[], storedAt: number): Map<string, ArchivedVersion> {
  return new Map(
    cs.map((c) => [c.key, {
      key: c.key, lastModified: storedAt,
      provenance: { instance: I, file: c.file.name, size: c.file.size, lastWritten: c.file.lastWritten, bytes: c.file.size, sha256: "0".repeat(64) },
    }]),
  );
}

function rebuilt(listing: readonly ListedFile[], archive: ReadonlyMap<string, ArchivedVersion>) {
  return rebuildManifest(I, rebuildTargets(G, I, listing), archive);
}

describe("planning/rebuild-manifest", () => {
  it("a state rebuilt from the archive copies nothing the archive already holds", () => {
    fc.assert(
      fc.property(listingArb, nowArb, (listing, now) => {
        const archive = archiveOf(copies(plan(listing, emptyManifest(), now)), now);
        assert.deepEqual(copies(plan(listing, rebuilt(listing, archive), now)), []);
      }),
      { numRuns: 300 },
    );
  });

  it("copies exactly the files whose object is missing", () => {
    fc.assert(
      fc.property(listingArb, nowArb, fc.nat(), (listing, now, pick) => {
        const first = copies(plan(listing, emptyManifest(), now));
        fc.pre(first.length > 0);
        const lost = first[pick % first.length];
        const archive = archiveOf(first, now);
        archive.delete(lost.key);
        assert.deepEqual(copies(plan(listing, rebuilt(listing, archive), now)).map((c) => c.identity), [lost.identity]);
      }),
      { numRuns: 300 },
    );
  });

  it("an object whose provenance is another content, another instance or unreadable stands for no file", () => {
    fc.assert(
      fc.property(listingArb, nowArb, fc.nat(), fc.constantFrom("size", "lastWritten", "file", "instance", "none"), (listing, now, pick, change) => {
        const first = copies(plan(listing, emptyManifest(), now));
        fc.pre(first.length > 0);
        const altered = first[pick % first.length];
        const archive = archiveOf(first, now);
        const o = archive.get(altered.key)!;
        const p = o.provenance!;
        if (change === "none") delete o.provenance;
        else if (change === "file") p.file = `${p.file}x`;
        else if (change === "instance") p.instance = "db-2";
        else p[change] += 1;
        const again = plan(listing, rebuilt(listing, archive), now).actions.find((a) => a.file === altered.file)!;
        // Copied again, or (a chain member whose rank now shows another size) held back and reported: never taken as archived.
        assert.notEqual(again.action, "skip", `${altered.file.name} after a changed ${change}`);
      }),
      { numRuns: 300 },
    );
  });

  it("a dated file RDS compressed after it was archived is recognised by its name without .gz", () => {
    const original = file("error/postgresql.log.2024-10-01-12", T0 + 13 * HOUR, 5000);
    const [target] = rebuildTargets(G, I, [file("error/postgresql.log.2024-10-01-12.gz", T0 + 13 * HOUR, 900)]);
    const entry = archivedEntry(I, target, {
      key: target.key, lastModified: T0 + 14 * HOUR,
      provenance: { instance: I, file: original.name, size: original.size, lastWritten: original.lastWritten, bytes: 5000, sha256: "0".repeat(64) },
    });
    assert.equal(entry?.file, original.name);
    assert.deepEqual(copies(plan([target.file.file], { version: 1, entries: { [target.identity]: entry! } }, T0 + 20 * HOUR)), []);
  });
});
