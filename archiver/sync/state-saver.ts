/**
 * Saves one instance's state object while its copies run: re-read, merge this round's copies in, write.
 * One save at a time, and at least every `saveEveryMs` while copies finish, so a timeout loses little work.
 */
import type { DigestObject } from "../digests/digest";
import { sameWatch, type WatchedFile } from "../planning/gaps";
import type { DigestHead } from "../digests/digest-plan";
import { mergeManifest, type Manifest, type ManifestEntry } from "../planning/manifest";

/** Where the state object is read from and written to (archiver/s3/archive-state.ts in a run). */
export interface StateStore {
  read(): Promise<Manifest>;
  write(manifest: Manifest): Promise<void>;
}

export interface SaverInput {
  store: StateStore;
  /** The state object as this round planned against it. */
  start: Manifest;
  /** This round's copies, by identity; filled in as they finish. */
  written: Readonly<Record<string, ManifestEntry>>;
  /** Identities listed this round: other entries older than the run are pruned. */
  listed: ReadonlySet<string>;
  runStartedAt: number;
  now: () => number;
  saveEveryMs: number;
  /**
   * This run's watch list for a state: what it listed and the state does not hold archived (gaps.ts). The state
   * is saved when its watch list would change, even with nothing copied.
   */
  watchOf?: (m: Manifest) => WatchedFile[];
  /** This round's stored objects, for the digest journal; filled in as copies finish, like `written`. */
  recorded?: readonly DigestObject[];
  /** The digests this round wrote: their records leave the journal. */
  digested?: { records: ReadonlySet<string>; head?: DigestHead; keys: readonly string[] };
}

export function stateSaver(input: SaverInput) {
  const { store, start, written, listed, runStartedAt, now, watchOf, recorded = [], digested } = input;
  let chain: Promise<void> = Promise.resolve();
  let savedCount = 0;
  // Each record goes into the journal once: a later save must not bring back one a digest took out meanwhile.
  let savedRecords = 0;
  let digestsSaved = !digested || digested.keys.length === 0;
  let savedWatch = start.watch;
  let lastSave = now();
  const save = (): Promise<void> => {
    chain = chain.then(async () => {
      const count = Object.keys(written).length;
      const expectedWatch = watchOf?.({ version: 1, entries: { ...start.entries, ...written } });
      if (count === savedCount && digestsSaved && (!watchOf || sameWatch(expectedWatch, savedWatch))) return;
      const latest = await store.read();
      const newRecords = recorded.slice(savedRecords);
      const merged = mergeManifest({
        start, latest, written: { ...written }, listed, runStartedAt, recorded: newRecords, ...(digested ? { digested } : {}),
      });
      const watch = watchOf?.(merged);
      await store.write(watch ? { ...merged, watch } : merged);
      savedWatch = watch ?? savedWatch;
      savedRecords += newRecords.length;
      digestsSaved = true;
      savedCount = count;
      lastSave = now();
    });
    return chain;
  };
  return {
    /** Saves what is new since the last save, after any save still running. */
    save,
    saveIfDue: (): Promise<void> => (now() - lastSave >= input.saveEveryMs ? save() : Promise.resolve()),
  };
}
