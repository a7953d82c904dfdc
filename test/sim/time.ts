/** Virtual time helpers. All times are POSIX ms, all calendars are UTC. */

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export function floorTo(t: number, unit: number): number {
  return t - (((t % unit) + unit) % unit);
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** `YYYY-MM-DD` */
export function ymd(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** `YYYY-MM-DD-HH` (PostgreSQL hourly file stamp) */
export function ymdh(t: number): string {
  return `${ymd(t)}-${pad(new Date(t).getUTCHours())}`;
}

/** `YYYY-MM-DD-HH-MM` (Aurora MySQL audit file stamp) */
export function ymdhm(t: number): string {
  return `${ymdh(t)}-${pad(new Date(t).getUTCMinutes())}`;
}

export function iso(t: number): string {
  return new Date(t).toISOString();
}
