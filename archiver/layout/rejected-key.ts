/**
 * `_rejected/<YYYY>/<MM>/<DD>/<sha256 of the payload>.json`: where a payload that cannot be archived is kept
 * with its error. The same payload redelivered lands on the same key.
 */
import { createHash } from "crypto";
import { dayPath } from "./hour-path";
import { REJECTED_PREFIX } from "./prefixes";

export function rejectedKey(payload: unknown, receivedAt: number): string {
  const digest = createHash("sha256").update(JSON.stringify(payload) ?? "undefined").digest("hex");
  return `${REJECTED_PREFIX}${dayPath(receivedAt)}/${digest}.json`;
}
