/**
 * The gap ledger: one object per file that left RDS before it was archived,
 * `_gaps/<group>/<instance>/<YYYY>/<MM>/<DD>/<HH>/<noticed, compact>-<sha256 of the entry, 16 hex>.json` (UTC, when noticed).
 * The key is a function of the entry, so a run that records the same gap twice writes the same bytes to the same key.
 */
import { createHash } from "crypto";
import { hourPath } from "./hour-path";
import { GAPS_PREFIX } from "./prefixes";
import { encodeSegment } from "./segments";

/** `_gaps/<group>/`: the gaps of one archived instance or cluster. */
export function gapGroupPrefix(group: string): string {
  return `${GAPS_PREFIX}${encodeSegment(group)}/`;
}

export function gapKey(group: string, instance: string, noticedAt: number, entryText: string): string {
  const stamp = new Date(noticedAt).toISOString().replace(/[-:.]/g, "");
  const hash = createHash("sha256").update(entryText).digest("hex").slice(0, 16);
  return `${gapGroupPrefix(group)}${encodeSegment(instance)}/${hourPath(noticedAt)}/${stamp}-${hash}.json`;
}
