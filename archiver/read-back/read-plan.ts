/**
 * Which key hours `logs` lists for a time range. Pure.
 *
 * An object is filed under the hour its content starts (a dated name's stamp, an hourly slot) or ends (its
 * LastWritten: chain members, names of their own). So the objects holding lines of [from, to) are filed from the
 * hour before `from` (a dated file's last lines can land just after its hour ends) to some hours after `to`: a file
 * filed by its LastWritten holds lines from as far back as it stayed open. READ_AFTER_MS covers a day (SQL Server's
 * error log rotates daily); lines older than that in a file open longer are not found. The reader skips dated
 * objects that start after `to` without reading them, and stops each object at its first line at or after `to`.
 */
import { parseDatedName } from "../planning/log-file-names";
import type { TimeRange } from "./time-range";

export const HOUR_MS = 3_600_000;
export const READ_BEFORE_MS = HOUR_MS;
export const READ_AFTER_MS = 25 * HOUR_MS;

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

/** Whether an object may hold lines before `to`, judged from its key alone: a dated name starts at its stamp. */
export function mayHoldLinesBefore(logName: string, to: number): boolean {
  const dated = parseDatedName(logName);
  return dated === undefined || dated.periodStart < to;
}
