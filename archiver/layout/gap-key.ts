/**
 * The gap ledger: one object per file that left RDS before it was archived,
 * `_gaps/<group>/<instance>/<YYYY>/<MM>/<DD>/<HH>/<LastWritten, compact>-<sha256 of the name and size, 16 hex>.json`,
 * filed by the hour the file was last written (UTC). The key is a function of the lost file, not of when it was
 * noticed: a run that records a gap again (it stopped before saving its state) writes the same key.
 */
import { createHash } from "crypto";
import { hourPath } from "./hour-path";
import { GAPS_PREFIX } from "./prefixes";
import { encodeSegment } from "./segments";

/** `_gaps/<group>/`: the gaps of one archived instance or cluster. */
export function gapGroupPrefix(group: string): string {
  return `${GAPS_PREFIX}${encodeSegment(group)}/`;
}

export function gapKey(group: string, instance: string, file: { name: string; size: number; lastWritten: number }): string {
  const stamp = new Date(file.lastWritten).toISOString().replace(/[-:.]/g, "");
  const hash = createHash("sha256").update(`${file.name}\u0000${file.size}`).digest("hex").slice(0, 16);
  return `${gapGroupPrefix(group)}${encodeSegment(instance)}/${hourPath(file.lastWritten)}/${stamp}-${hash}.json`;
}
