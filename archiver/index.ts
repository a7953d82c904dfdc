/** The engine's public entry points. */
export { runSync, DEFAULT_GZIP_LEVEL, type SyncRuntime } from "./sync/run-sync";
export { loadAwsSdk, type AwsSdk } from "./aws-sdk";
export { settingsFromEnv, validateSettings, ENV, DEFAULTS, settingsError, isSettingsError, type SettingsError, type SyncSettings } from "./settings";
export type { SyncReport, InstanceReport, FileOutcome, SyncEvent } from "./report";
export { createSyncHandler } from "./lambda/handler";
export { createRdsEventsHandler } from "./lambda/rds-events-handler";
export { createLogSubscriptionHandler } from "./lambda/log-subscription-handler";
export { createDispatchHandler } from "./lambda/dispatch-handler";
export { createWorkerHandler } from "./lambda/worker-handler";
export { createVerifyHandler } from "./lambda/verify-handler";
