import { strict as assert } from "assert";
import fc from "fast-check";
import { archiveTargets } from "../../archiver/planning/archive-targets";
import { classifyListing, type ListedFile } from "../../archiver/planning/log-file-names";
import type { ProvenanceResult } from "../../archiver/s3/metadata";
import { classifyFiles, listingMismatch } from "../../archiver/verify/classify-files";

const T0 = Date.UTC(2024, 9, 1, 0, 0);
const HOUR = 3_600_000;
const provenance = (f: ListedFile, o: Partial<{ size: number; lastWritten: number; file: string }> = {}): ProvenanceResult => ({
  provenance: { instance: "db", file: o.file ?? f.name, size: o.size ?? f.size, lastWritten: o.lastWritten ?? f.lastWritten, bytes: 1, sha256: "0".repeat(64) },
});

describe("verify/classify-files", () => {
  it("a file is archived when its key holds it as listed; RDS compressing it afterwards changes nothing", () => {
    const f = { name: "error/postgresql.log.2024-10-01-00", size: 100, lastWritten: T0 + 50 * 60_000 };
    assert.equal(listingMismatch(f, provenance(f)), undefined);
    assert.equal(listingMismatch({ ...f, name: `${f.name}.gz`, size: 20 }, provenance(f)), undefined);
    assert.match(listingMismatch({ ...f, size: 120, lastWritten: f.lastWritten + 1 }, provenance(f))!, /another version: archived 100 bytes/);
    assert.match(listingMismatch(f, { problems: ["no sha256 metadata"] })!, /no usable metadata \(no sha256 metadata\)/);
  });

  it("property: every listed file gets one verdict; with every target archived as listed, none is missing or deferred", () => {
    const hourly = fc.integer({ min: 0, max: 40 }).map((h): ListedFile => {
      const stamp = new Date(T0 + h * HOUR).toISOString().slice(0, 13).replace("T", "-");
      return { name: `error/postgresql.log.${stamp}`, size: 10 + h, lastWritten: T0 + h * HOUR + 59 * 60_000 };
    });
    fc.assert(
      fc.property(fc.uniqueArray(hourly, { selector: (f) => f.name, maxLength: 12 }), fc.integer({ min: 0, max: 48 }), (listing, nowHour) => {
        const now = T0 + nowHour * HOUR;
        const none = classifyFiles({ group: "db", instance: "db", listing, objects: new Map(), now, deferWindowMs: HOUR });
        assert.deepEqual(none.map((v) => v.file), listing.map((f) => f.name));
        const targets = archiveTargets("db", "db", classifyListing(listing));
        const objects = new Map<string, ProvenanceResult>();
        for (const [c, t] of targets) if ("key" in t) objects.set(t.key, provenance(c.file));
        const all = classifyFiles({ group: "db", instance: "db", listing, objects, now, deferWindowMs: HOUR });
        assert.deepEqual(all.filter((v) => v.status === "missing" || v.status === "deferred"), []);
        // Without the objects, every closed file is missing or deferred; pending ones stay pending.
        none.forEach((v, i) => assert.equal(v.status === "pending", all[i].status === "pending"));
        for (const v of none) if (v.status !== "pending") assert.ok(v.status === (now - v.lastWritten < HOUR ? "deferred" : "missing"), JSON.stringify(v));
      }),
    );
  });
});
