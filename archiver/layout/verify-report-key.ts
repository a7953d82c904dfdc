/** Where the scheduled verify writes each report: `_verify/<YYYY>/<MM>/<DD>/<HH>/<started, compact>.json` (UTC). */
import { hourPath } from "./hour-path";
import { VERIFY_REPORTS_PREFIX } from "./prefixes";

export function verifyReportKey(startedAt: number): string {
  return `${VERIFY_REPORTS_PREFIX}${hourPath(startedAt)}/${new Date(startedAt).toISOString().replace(/[-:.]/g, "")}.json`;
}
