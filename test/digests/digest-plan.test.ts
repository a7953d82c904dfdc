import assert from "node:assert/strict";
import fc from "fast-check";
import { checkDigestChain, type DigestObject, type StoredDigest } from "../../archiver/digests/digest";
import { dueHours, HOUR_MS, nextDigest, recordId, type DigestHead } from "../../archiver/digests/digest-plan";

const T0 = Date.UTC(2024, 9, 1);
const TARGET = { group: "g", instance: "db-1" };

const recordAt = (t: number, n: number): DigestObject => ({
  key: `g/error/2024/10/01/00/db-1/f${n}.gz`, storedBytes: n, bytes: n, sha256: "0".repeat(64),
  rds: { instance: "db-1", file: `error/f${n}`, size: n, lastWritten: t }, storedAt: new Date(t).toISOString(),
});

/** Runs at the given times; each stores the objects recorded before it (journaled late by `delay`), then writes what is due. */
function simulate(storedAt: number[], runs: number[], delayMs: number) {
  let head: DigestHead | undefined;
  let journal: DigestObject[] = [];
  const written: (StoredDigest & { listed: string[]; hour: number; at: number })[] = [];
  const all = storedAt.map(recordAt);
  for (const now of [...runs].sort((a, b) => a - b)) {
    const journaled = new Set(journal.map(recordId).concat(written.flatMap((d) => d.listed)));
    journal.push(...all.filter((o) => Date.parse(o.storedAt) + delayMs <= now && !journaled.has(recordId(o))));
    for (const hour of dueHours(head, journal, now)) {
      const d = nextDigest(TARGET, head, journal, hour);
      written.push({ key: d.key, text: d.text, listed: d.listed, hour, at: now });
      journal = journal.filter((o) => !d.listed.includes(recordId(o)));
      head = { hour, key: d.key, sha256: d.sha256 };
    }
  }
  return { written, head, journal, all };
}

describe("digests: when they are due and what they list", () => {
  it("a chain written run after run checks clean, lists each record once, and no digest closes an hour before it ended", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: T0, max: T0 + 12 * HOUR_MS }), { maxLength: 20 }),
        fc.array(fc.integer({ min: T0, max: T0 + 16 * HOUR_MS }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 2 * HOUR_MS }),
        (storedAt, runs, delay) => {
          const { written, head, journal, all } = simulate(storedAt, [...runs, T0 + 20 * HOUR_MS], delay);
          assert.deepEqual(checkDigestChain(written, head), []);
          const listed = written.flatMap((d) => d.listed);
          assert.equal(new Set(listed).size, listed.length, "no record in two digests");
          assert.deepEqual([...listed, ...journal.map(recordId)].sort(), all.map(recordId).filter((id, n, a) => a.indexOf(id) === n).sort(),
            "every record is digested or still journaled");
          assert.equal(journal.length, 0, "a run long after the last store digests everything");
          const keys = written.map((d) => d.key);
          assert.equal(new Set(keys).size, keys.length, "each digest key written once");
          assert.deepEqual([...keys].sort(), keys, "in hour order");
          for (const d of written) assert.ok(d.hour + HOUR_MS <= d.at, `${d.key} written before its hour ended`);
        },
      ),
    );
  });

  it("an idle instance, or an hour that has not ended, is due nothing", () => {
    assert.deepEqual(dueHours(undefined, [], T0 + 5 * HOUR_MS), []);
    assert.deepEqual(dueHours(undefined, [recordAt(T0 + 5 * HOUR_MS + 10, 1)], T0 + 5 * HOUR_MS + 3_000_000), []);
    assert.deepEqual(dueHours(undefined, [recordAt(T0 + 5 * HOUR_MS + 10, 1)], T0 + 6 * HOUR_MS), [T0 + 5 * HOUR_MS]);
  });
});
