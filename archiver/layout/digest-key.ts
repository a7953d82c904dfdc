/** Where the sync's digests go: one per instance and hour, `_digests/<group>/<instance>/<YYYY>/<MM>/<DD>/<HH>.json` (UTC). */
import { hourPath } from "./hour-path";
import { DIGESTS_PREFIX } from "./prefixes";
import { encodeSegment } from "./segments";

/** `_digests/<group>/`: the digests of one archived instance or cluster. */
export function digestGroupPrefix(group: string): string {
  return `${DIGESTS_PREFIX}${encodeSegment(group)}/`;
}

/** `_digests/<group>/<instance>/`: one instance's chain. Keys under it sort in hour order. */
export function digestChainPrefix(group: string, instance: string): string {
  return `${digestGroupPrefix(group)}${encodeSegment(instance)}/`;
}

export function digestKey(group: string, instance: string, hour: number): string {
  return `${digestChainPrefix(group, instance)}${hourPath(hour)}.json`;
}
