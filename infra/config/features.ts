/**
 * The settings of the optional features (Athena, Object Lock) and the ways they conflict with the others.
 * Pure: called by parseConfig with its reader, so the problems are reported with every other one.
 */
import { archiveTableProjection } from "../../archiver/layout/athena-projection";
import { DEFAULTS, LIMITS, OBJECT_LOCK_MODES, type ArchiverConfig, type ObjectLockMode } from "./defaults";
import type { ConfigReader } from "./reader";

export type FeatureSettings = Pick<ArchiverConfig, "athena" | "objectLockMode" | "objectLockRetentionDays">;

/** What the features are checked against: settings read before them. */
export type FeatureContext = Pick<ArchiverConfig, "instances" | "clusters" | "include" | "activeRefreshMinutes">;

export function readFeatures(r: ConfigReader, c: FeatureContext): FeatureSettings {
  const athena = r.boolean("athena", DEFAULTS.athena);
  if (athena) {
    for (const problem of archiveTableProjection({ groups: [...c.instances, ...c.clusters], include: c.include }).problems) r.report("athena", problem);
  }

  const mode = r.text("objectLockMode").toUpperCase();
  const objectLockMode = mode === "" || OBJECT_LOCK_MODES.includes(mode as ObjectLockMode) ? (mode as ObjectLockMode | "") : "";
  if (mode !== objectLockMode) r.report("objectLockMode", `expected ${OBJECT_LOCK_MODES.join(" or ")} (or empty: no Object Lock), got "${mode}"`);
  const [min, max] = LIMITS.objectLockRetentionDays;
  const objectLockRetentionDays = r.integer("objectLockRetentionDays", DEFAULTS.objectLockRetentionDays, min, max);
  if (objectLockMode && objectLockRetentionDays < 1) {
    r.report("objectLockRetentionDays", `required with objectLockMode ${objectLockMode}: the days each object version stays locked (1 to ${max})`);
  }
  if (!objectLockMode && objectLockRetentionDays > 0) {
    r.report("objectLockRetentionDays", "has no effect without objectLockMode: set the mode (GOVERNANCE or COMPLIANCE) or remove the retention");
  }
  if (objectLockMode && c.activeRefreshMinutes > 0) {
    // Named under both keys: either one is the setting to change.
    const why = "active-file refreshes overwrite archive objects, and every overwrite would be a new locked version kept for the retention period";
    r.report("objectLockMode", `conflicts with activeRefreshMinutes = ${c.activeRefreshMinutes}: ${why}; set activeRefreshMinutes to 0 or leave Object Lock off`);
    r.report("activeRefreshMinutes", `conflicts with objectLockMode = ${objectLockMode}: ${why}; set it to 0 or leave Object Lock off`);
  }
  return { athena, objectLockMode, objectLockRetentionDays };
}
