/**
 * Which key hours `logs` lists for a time range. Pure.
 *
 * An object is filed under the hour its content starts (a dated name's stamp) or ends (its LastWritten). So the
 * objects holding lines of [from, to) are filed from the hour before `from` (a dated file's last lines can land
 * just after its hour ends) to some hours after `to`: a file filed by its LastWritten holds lines from before it,
 * as far back as the file stayed open. READ_AFTER_MS bounds how far; a file open longer than that is read only
 * for its last hours.
 */
import type { TimeRange } from "./time-range";

export const HOUR_MS = 3_600_000;
export const READ_BEFORE_MS = HOUR_MS;
export const READ_AFTER_MS = 6 * HOUR_MS;

/** The start of every hour to list, oldest first. */
export function hoursToList(range: TimeRange, readBeforeMs = READ_BEFORE_MS, readAfterMs = READ_AFTER_MS): number[] {
  const first = floorHour(range.from - readBeforeMs);
  const last = floorHour(Math.max(range.from, range.to - 1) + readAfterMs);
  const hours: number[] = [];
  for (let h = first; h <= last; h += HOUR_MS) hours.push(h);
  return hours;
}

export function floorHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}
