/**
 * MySQL / MariaDB, old-style hourly rotation.
 *
 * Active files `slowquery/mysql-slowquery.log`, `general/mysql-general.log`, `error/mysql-error-running.log`.
 * At each UTC hour boundary each active file's content moves to `<active>.<H>` (H = the hour that just ended,
 * 0..23, no zero padding), replacing yesterday's file of that name, and the active file starts empty.
 * Rotated files older than the retention (24 h) are deleted.
 *
 * `error/mysql-error.log` is a staging buffer: error lines land there first; every 5 minutes RDS appends its
 * content to `mysql-error-running.log` and empties it. The staged lines are the same lines, not new ones.
 * At a boundary that is both a 5-minute and an hour boundary, the flush happens first, so the rotated
 * `mysql-error-running.log.<H>` may carry a LastWritten of exactly (H+1):00:00.000.
 */
import { DAY, HOUR, MINUTE } from "../time";
import { EngineModel, ModelOptions, SimFile } from "./model";

export const MYSQL_ACTIVE = {
  slowquery: "slowquery/mysql-slowquery.log",
  general: "general/mysql-general.log",
  error: "error/mysql-error-running.log",
} as const;
export const MYSQL_STAGING = "error/mysql-error.log";

export interface MysqlHourlyOptions extends ModelOptions {
  retentionMs?: number;
  /** Share of lines per stream; the rest of the error share goes through the staging buffer. */
  weights?: { slowquery: number; general: number; error: number };
  flushEveryMs?: number;
}

export class MysqlHourlyModel extends EngineModel {
  readonly scheme = "mysql-hourly" as const;
  private readonly retentionMs: number;
  private readonly weights: { slowquery: number; general: number; error: number };
  private readonly flushEveryMs: number;

  constructor(o: MysqlHourlyOptions) {
    super(o);
    this.retentionMs = o.retentionMs ?? DAY;
    this.weights = o.weights ?? { slowquery: 0.4, general: 0.45, error: 0.15 };
    this.flushEveryMs = o.flushEveryMs ?? 5 * MINUTE;
    for (const name of Object.values(MYSQL_ACTIVE)) this.put(new SimFile(name, o.start, true));
    this.put(new SimFile(MYSQL_STAGING, o.start, true));
  }

  protected writeLine(at: number): void {
    const r = this.rng.next() * (this.weights.slowquery + this.weights.general + this.weights.error);
    if (r < this.weights.slowquery) this.appendTo(MYSQL_ACTIVE.slowquery, "slowquery", at);
    else if (r < this.weights.slowquery + this.weights.general) this.appendTo(MYSQL_ACTIVE.general, "general", at);
    else this.appendTo(MYSQL_STAGING, "error", at);
  }

  private appendTo(name: string, stream: string, at: number): void {
    this.table.get(name)!.append(this.ledger.write(this.instance, stream, at), at);
  }

  protected streamOf(f: SimFile): string {
    if (f.name.startsWith("slowquery/")) return "slowquery";
    if (f.name.startsWith("general/")) return "general";
    return "error";
  }

  /** Copies the staging buffer onto mysql-error-running.log and empties it. */
  flush(t: number): void {
    const staging = this.table.get(MYSQL_STAGING)!;
    if (staging.lines.length === 0) return;
    const running = this.table.get(MYSQL_ACTIVE.error)!;
    for (const line of staging.truncate(t)) running.append(line, t);
  }

  protected boundary(t: number): void {
    if (t % this.flushEveryMs === 0) this.flush(t);
    // Retention first: yesterday's `.H` is usually just past it when today's `.H` replaces it.
    this.expire(t - this.retentionMs, (f) => f.name === MYSQL_STAGING);
    if (t % HOUR === 0) {
      const hour = new Date(t - 1).getUTCHours();
      for (const active of Object.values(MYSQL_ACTIVE)) {
        const target = `${active}.${hour}`;
        this.remove(target);
        this.rename(active, target);
        this.table.get(target)!.open = false;
        this.put(new SimFile(active, t, true));
      }
    }
  }
}
