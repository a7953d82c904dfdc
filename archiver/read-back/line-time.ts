/**
 * The time a log line was written, read from its first characters, for the engines RDS runs:
 * ISO 8601 with `T` or a space (MySQL, MariaDB, PostgreSQL `... UTC:`, SQL Server), `# Time:` lines of the
 * MySQL slow query log, and the audit plugin's `YYYYMMDD HH:MM:SS`. Pure. A line without a time (the rest of a
 * multi-line entry) has none: the reader gives it the time of the line before it.
 */

const ISO_LIKE = /^(?:# Time: )?(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s*(Z|UTC|[+-]\d{2}:?\d{2})?/;
const COMPACT = /^(\d{4})(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})/;

export function lineTime(line: string): number | undefined {
  const m = ISO_LIKE.exec(line) ?? COMPACT.exec(line);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = "", zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(frac.padEnd(3, "0").slice(0, 3)));
  if (!Number.isFinite(ms)) return undefined;
  if (!zone || zone === "Z" || zone === "UTC") return ms;
  const digits = zone.slice(1).replace(":", "");
  return ms - (zone[0] === "-" ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}
