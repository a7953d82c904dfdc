/**
 * When a copy keeps the exportable pure-JS SHA-256 state (./sha256-midstate.ts) and when a resumed copy asks
 * RDS for the rest of the file by Range. Pure.
 *
 * The pure-JS hash is several times slower than node:crypto, so only a copy that may not finish in its
 * invocation pays for it: a file listed at HASH_STATE_MIN_PARTS parts' worth of raw bytes or more. Below that
 * the object has at most a few parts, and a stopped copy of it downloads and hashes its short prefix again
 * (node:crypto) at little cost. A copy that started without the state keeps none when resumed: its prefix
 * would have to be hashed in JavaScript to build one.
 */

/** Files listed at this many parts' worth of raw bytes or more keep the exportable state. */
export const HASH_STATE_MIN_PARTS = 4;

export interface HashStateInput {
  /** The resumeWithRange setting (archiver/settings.ts). */
  resumeWithRange: boolean;
  listedBytes: number;
  partBytes: number;
  /** The copy replaces an older key, or its file may arrive smaller than listed: Range is never asked for it. */
  rangeNeverAsked: boolean;
  /** The recorded copy this one continues, if any. */
  resumed?: { hasState: boolean };
}

export function keepsHashState(i: HashStateInput): boolean {
  if (!i.resumeWithRange || i.rangeNeverAsked) return false;
  if (i.resumed) return i.resumed.hasState;
  return i.listedBytes >= HASH_STATE_MIN_PARTS * i.partBytes;
}

/** Whether a resumed copy at `offset` sends `Range: bytes=<offset>-`: only with a state at exactly that offset. */
export function asksRange(i: { resumeWithRange: boolean; rangeNeverAsked: boolean; servedGzip: boolean; offset: number; stateBytes?: number }): boolean {
  return i.resumeWithRange && !i.rangeNeverAsked && !i.servedGzip && i.offset > 0 && i.stateBytes === i.offset;
}
