/**
 * When digests are due and what each one lists. An hour is digested by the first run that starts after it ended;
 * its digest lists every object the state's journal recorded as stored before the hour's end and that no earlier
 * digest listed. So a digest never has to change: an object a slow run records after its hour was digested, or one
 * replaced later (an active file refreshed, a grown file copied again), goes into a later digest. Pure: no I/O.
 */
import { digestKey } from "../layout/digest-key";
import { renderDigest, type DigestLink, type DigestObject } from "./digest";

export const HOUR_MS = 3_600_000;
/** Hours digested by one run at most: a backlog after a long outage is worked off over the next runs. */
export const MAX_DIGESTS_PER_RUN = 48;

/** The newest digest of a chain, as the state object keeps it. */
export interface DigestHead extends DigestLink {
  /** The hour it closes, POSIX ms. */
  hour: number;
}

/** How a journal record is told apart from another version of the same key. */
export function recordId(o: DigestObject): string {
  return `${o.key}@${o.storedAt}`;
}

function hourStart(t: number): number {
  return t - (t % HOUR_MS);
}

/**
 * The hours due for a digest at `now`, oldest first: the hours that have ended, after the head's, in which the
 * journal recorded an object. An hour in which nothing was stored gets no digest, so an idle instance writes nothing.
 */
export function dueHours(head: DigestHead | undefined, journal: readonly DigestObject[], now: number): number[] {
  const lastEnded = hourStart(now) - HOUR_MS;
  const after = head ? head.hour : -Infinity;
  // A record from before the head (recorded late, by a slow run) goes into the next digest written.
  const hours = new Set(journal.map((o) => Math.max(hourStart(Date.parse(o.storedAt)), after + HOUR_MS)));
  return [...hours].filter((h) => h <= lastEnded).sort((a, b) => a - b).slice(0, MAX_DIGESTS_PER_RUN);
}

export interface NextDigest {
  hour: number;
  key: string;
  text: string;
  sha256: string;
  /** The journal records it lists (recordId). */
  listed: string[];
}

/** The digest of `hour`, chained to `head`: the journal records stored before the hour ended. */
export function nextDigest(
  target: { group: string; instance: string },
  head: DigestHead | undefined,
  journal: readonly DigestObject[],
  hour: number,
): NextDigest {
  const objects = journal.filter((o) => Date.parse(o.storedAt) < hour + HOUR_MS);
  const { text, sha256 } = renderDigest({
    version: 1,
    group: target.group,
    instance: target.instance,
    hour: new Date(hour).toISOString(),
    previous: head ? { key: head.key, sha256: head.sha256 } : null,
    objects,
  });
  return { hour, key: digestKey(target.group, target.instance, hour), text, sha256, listed: objects.map(recordId) };
}
