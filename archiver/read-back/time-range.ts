/**
 * The time range of `logs`: ISO 8601 times (UTC unless they carry an offset) or times relative to now
 * (`90s`, `30m`, `2h`, `7d` ago; `now`). Pure: `now` is passed in.
 */

export interface TimeRange {
  /** POSIX ms, inclusive. */
  from: number;
  /** POSIX ms, exclusive. */
  to: number;
}

export type TimeRangeResult = TimeRange | { error: string };

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const RELATIVE = /^(\d{1,9})(s|m|h|d)$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** One time, as POSIX ms, or why it is not one. */
export function parseTime(text: string, now: number): number | { error: string } {
  const t = text.trim();
  if (t === "now") return now;
  const rel = RELATIVE.exec(t);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]];
  const m = ISO.exec(t);
  if (!m) return { error: `"${text}" is not a time: use ISO 8601 (2024-10-01T02:10Z) or a time ago (30m, 2h, 7d)` };
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone] = m;
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  const ms = Date.UTC(...fields, Number(frac.padEnd(3, "0").slice(0, 3)));
  const back = new Date(ms);
  const valid = back.getUTCFullYear() === fields[0] && back.getUTCMonth() === fields[1] && back.getUTCDate() === fields[2] &&
    fields[3] < 24 && fields[4] < 60 && fields[5] < 60;
  if (!valid) return { error: `"${text}" is not a valid date and time` };
  return ms - zoneOffsetMs(zone);
}

function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone === "Z") return 0;
  const digits = zone.slice(1).replace(":", "");
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return (zone[0] === "-" ? -1 : 1) * minutes * 60_000;
}

/** `--from` (required) and `--to` (default: now). `--from` after `--to` is an error. */
export function parseTimeRange(from: string | undefined, to: string | undefined, now: number): TimeRangeResult {
  if (from === undefined) return { error: "--from is required" };
  const start = parseTime(from, now);
  if (typeof start !== "number") return { error: `--from: ${start.error}` };
  const end = to === undefined ? now : parseTime(to, now);
  if (typeof end !== "number") return { error: `--to: ${end.error}` };
  if (start > end) return { error: `--from (${new Date(start).toISOString()}) is after --to (${new Date(end).toISOString()})` };
  return { from: start, to: end };
}
