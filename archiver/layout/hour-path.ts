/** hourPath's output as a java.time pattern (what Athena's date projection reads), and the earliest year it is given. */
export const HOUR_PATH_PATTERN = "yyyy/MM/dd/HH";

/** `YYYY/MM/DD/HH` of a POSIX ms time, in UTC. */
export function hourPath(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${two(d.getUTCHours())}`;
}

/** `YYYY/MM/DD` of a POSIX ms time, in UTC. */
export function dayPath(ms: number): string {
  return hourPath(ms).slice(0, 10);
}
