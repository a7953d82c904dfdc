/** Where the sync engine keeps what it archived: one state object per instance, `_state/<group>/<instance>.json`. */
import { STATE_PREFIX } from "./prefixes";
import { encodeSegment } from "./segments";

/** `_state/<group>/`: the state objects of one archived instance or cluster. No archive key can start with it. */
export function statePrefix(group: string): string {
  return `${STATE_PREFIX}${encodeSegment(group)}/`;
}

/** The state object of one instance. */
export function stateKey(group: string, instance: string): string {
  return `${statePrefix(group)}${encodeSegment(instance)}.json`;
}
