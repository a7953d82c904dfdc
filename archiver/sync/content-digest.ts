/**
 * The whole content's sha256 and size as a member copy feeds it, in order, with the digest of the prefix at any
 * point (for the record of a stopped copy) and, with `keepState`, an exportable hash state. node:crypto is many
 * times faster but cannot export its state, so the pure-JS hash runs only when a Range resume needs it.
 */
import { createHash, type Hash } from "crypto";
import { sha256Midstate, type Sha256State } from "./sha256-midstate";

/** What the content is compared with when it may replace an older version of itself. */
export interface PreviousContent {
  bytes: number;
  sha256: string;
}

export interface ContentDigest {
  update(chunk: Buffer): void;
  bytes(): number;
  /** sha256 of everything so far; the digest goes on. */
  prefixSha256(): string;
  exportState(): Sha256State | undefined;
  sha256(): string;
  /** Whether the content starts with `previous`; undefined without one. */
  prefixMatches(): boolean | undefined;
}

export function contentDigest(o: { keepState: boolean; from?: Sha256State; previous?: PreviousContent }): ContentDigest {
  const midstate = o.keepState || o.from ? sha256Midstate(o.from) : undefined;
  const hash: Hash | undefined = midstate ? undefined : createHash("sha256");
  const { previous } = o;
  const prefix = previous ? createHash("sha256") : undefined;
  let bytes = o.from?.bytes ?? 0;
  let prefixDigest: string | undefined;
  return {
    update(chunk) {
      if (prefix && previous && bytes < previous.bytes) {
        prefix.update(chunk.subarray(0, previous.bytes - bytes));
        if (bytes + chunk.length >= previous.bytes) prefixDigest = prefix.digest("hex");
      }
      bytes += chunk.length;
      if (midstate) midstate.update(chunk);
      else hash!.update(chunk);
    },
    bytes: () => bytes,
    prefixSha256: () => (midstate ? midstate.digestHex() : hash!.copy().digest("hex")),
    exportState: () => midstate?.exportState(),
    sha256: () => (midstate ? midstate.digestHex() : hash!.copy().digest("hex")),
    prefixMatches: () => {
      if (!previous) return undefined;
      if (previous.bytes === 0) return previous.sha256 === createHash("sha256").digest("hex");
      return prefixDigest === previous.sha256;
    },
  };
}
