/** The engine's public entry points. */
export { runSync, DEFAULT_GZIP_LEVEL, type SyncRuntime } from "./sync/run-sync";
export type { SyncEvent } from "./sync/sync-instance";
export { loadAwsSdk, type AwsSdk } from "./aws-sdk";
export { settingsFromEnv, validateSettings, ENV, DEFAULTS, settingsError, isSettingsError, type SettingsError, type SyncSettings } from "./settings";
export type { SyncReport, InstanceReport, FileOutcome } from "./report";
export { createHandler } from "./lambda/handler";
export { createRdsEventsHandler } from "./lambda/rds-events-handler";
export { createLogSubscriptionHandler } from "./lambda/log-subscription-handler";
