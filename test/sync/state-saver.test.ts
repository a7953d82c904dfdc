import assert from "node:assert/strict";
import type { Manifest, ManifestEntry } from "../../archiver/planning/manifest";
import { stateSaver, type StateStore } from "../../archiver/sync/state-saver";

const entry = (file: string, archivedAt = 100): ManifestEntry => ({
  key: `k/${file}.gz`, file, size: 10, lastWritten: 1, bytes: 10, sha256: `sha-${file}`, archivedAt,
});
const manifest = (...entries: [string, ManifestEntry][]): Manifest => ({ version: 1, entries: Object.fromEntries(entries) });

/** An in-memory state object that records each write and whether two writes ever overlapped. */
function memoryStore(initial: Manifest) {
  let current = initial;
  let inFlight = 0;
  const log = { writes: [] as Manifest[], overlapped: false };
  const store: StateStore = {
    read: async () => current,
    write: async (m) => {
      inFlight++;
      if (inFlight > 1) log.overlapped = true;
      await new Promise((r) => setTimeout(r, 5));
      current = m;
      log.writes.push(m);
      inFlight--;
    },
  };
  return { store, log, setCurrent: (m: Manifest) => void (current = m), current: () => current };
}

describe("sync/state-saver", () => {
  it("writes only what is new, one save at a time, merged into what the store holds now", async () => {
    const start = manifest(["old", entry("old", 1)]);
    const mem = memoryStore(start);
    const written: Record<string, ManifestEntry> = {};
    const saver = stateSaver({ store: mem.store, start, written, listed: new Set(["a", "b"]), runStartedAt: 50, now: () => 1000, saveEveryMs: 30 });
    await saver.save();
    assert.equal(mem.log.writes.length, 0, "nothing copied yet, nothing written");
    written.a = entry("a");
    // Another run added an entry meanwhile: the merge keeps it.
    mem.setCurrent(manifest(["old", entry("old", 1)], ["other", entry("other", 60)]));
    written.b = entry("b");
    await Promise.all([saver.save(), saver.save(), saver.save()]);
    assert.equal(mem.log.overlapped, false);
    assert.equal(mem.log.writes.length, 1, "the second and third save find nothing new");
    assert.deepEqual(Object.keys(mem.current().entries).sort(), ["a", "b", "other"], "old is unlisted and older than the run: pruned");
  });

  it("saveIfDue saves once the interval has passed since the last save, not before", async () => {
    const start = manifest();
    const mem = memoryStore(start);
    const written: Record<string, ManifestEntry> = { a: entry("a") };
    let clock = 0;
    const saver = stateSaver({ store: mem.store, start, written, listed: new Set(["a", "b"]), runStartedAt: 0, now: () => clock, saveEveryMs: 30_000 });
    clock = 29_999;
    await saver.saveIfDue();
    assert.equal(mem.log.writes.length, 0);
    clock = 30_000;
    await saver.saveIfDue();
    assert.equal(mem.log.writes.length, 1);
    written.b = entry("b");
    clock = 59_999;
    await saver.saveIfDue();
    assert.equal(mem.log.writes.length, 1, "the interval counts from the last save");
    await saver.save();
    assert.deepEqual(Object.keys(mem.current().entries).sort(), ["a", "b"]);
  });

  it("saves when the watch list changes though nothing was copied, and not when it is the same", async () => {
    const watched = [{ file: "error/x", size: 5, lastWritten: 1, identity: "dated:error/x" }];
    const start: Manifest = { ...manifest(), watch: watched };
    const same = memoryStore(start);
    await stateSaver({ store: same.store, start, written: {}, listed: new Set(), runStartedAt: 0, now: () => 0, saveEveryMs: 1, watchOf: () => watched }).save();
    assert.equal(same.log.writes.length, 0, "an idle run with an unchanged watch list writes nothing");
    const changed = memoryStore(start);
    await stateSaver({ store: changed.store, start, written: {}, listed: new Set(), runStartedAt: 0, now: () => 0, saveEveryMs: 1, watchOf: () => [] }).save();
    assert.deepEqual(changed.current().watch, []);
  });

  it("puts each stored object in the journal once, and takes out what a digest listed", async () => {
    const record = (n: number) => ({
      key: `k/${n}.gz`, storedBytes: 1, bytes: 1, sha256: "0".repeat(64), rds: { instance: "i", file: `f${n}`, size: 1, lastWritten: 1 }, storedAt: new Date(n).toISOString(),
    });
    const start: Manifest = { ...manifest(), stored: [record(1)] };
    const mem = memoryStore(start);
    const written: Record<string, ManifestEntry> = {};
    const recorded: ReturnType<typeof record>[] = [];
    const head = { hour: 0, key: "_digests/g/i/1970/01/01/00.json", sha256: "1".repeat(64) };
    const saver = stateSaver({
      store: mem.store, start, written, listed: new Set(), runStartedAt: 0, now: () => 0, saveEveryMs: 1,
      recorded, digested: { records: new Set([`k/1.gz@${new Date(1).toISOString()}`]), head, keys: [head.key] },
    });
    written.a = entry("a");
    recorded.push(record(2));
    await saver.save();
    assert.deepEqual(mem.current().stored?.map((o) => o.key), ["k/2.gz"]);
    assert.deepEqual(mem.current().digestHead, head);
    // A later digest (another run) took record 2 out; this run's next save must not bring it back.
    mem.setCurrent({ ...mem.current(), stored: [] });
    written.b = entry("b");
    await saver.save();
    assert.deepEqual(mem.current().stored, []);
  });
});
