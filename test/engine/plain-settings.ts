import type { SyncSettings } from "../../archiver/settings";

/** Sync settings with nothing optional set: what a settings test writes to the environment and reads back. */
export const PLAIN_SETTINGS: SyncSettings = {
  bucket: "b", instances: ["db1"], clusters: [], include: [], concurrency: 4, activeRefreshMinutes: 0,
  connectTimeoutSeconds: 10, readTimeoutSeconds: 60, dryRun: false,
};
