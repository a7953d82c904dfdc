/**
 * PostgreSQL / Aurora PostgreSQL: one file per UTC hour, `error/postgresql.log.YYYY-MM-DD-HH`.
 *
 * - With `createAtBoundary` (default) the next hour's file is created at the boundary even if nothing is
 *   written to it; without it a file appears with its hour's first line, so quiet hours leave no file.
 * - `gzipAfterHours` (default 3, null to disable): once a file's hour ended that many hours ago, RDS renames it
 *   `<name>.gz` and serves the gzip of the original; the listed Size becomes the compressed size and
 *   LastWritten is kept (gzip keeps the mtime).
 * - Retention: files last written more than `retentionMs` (3 days) ago are deleted.
 * - A file is closed once its hour has ended. A grow race may still append to a closed, uncompressed file
 *   (a late write), which the archiver must pick up as a superset.
 */
import { DAY, HOUR, floorTo, ymdh } from "../time";
import { EngineModel, ModelOptions, SimFile } from "./model";

export interface PostgresOptions extends ModelOptions {
  createAtBoundary?: boolean;
  gzipAfterHours?: number | null;
  retentionMs?: number;
}

export function postgresName(hourStart: number): string {
  return `error/postgresql.log.${ymdh(hourStart)}`;
}

export class PostgresModel extends EngineModel {
  readonly scheme = "postgres" as const;
  private readonly createAtBoundary: boolean;
  private readonly gzipAfterHours: number | null;
  private readonly retentionMs: number;

  constructor(o: PostgresOptions) {
    super(o);
    this.createAtBoundary = o.createAtBoundary ?? true;
    this.gzipAfterHours = o.gzipAfterHours === undefined ? 3 : o.gzipAfterHours;
    this.retentionMs = o.retentionMs ?? 3 * DAY;
    if (this.createAtBoundary) this.put(new SimFile(postgresName(floorTo(o.start, HOUR)), o.start, true));
  }

  protected writeLine(at: number): void {
    const hour = floorTo(at, HOUR);
    const name = postgresName(hour);
    const f = this.table.get(name) ?? this.put(new SimFile(name, at, true));
    f.append(this.ledger.write(this.instance, "postgresql", at), at);
  }

  protected streamOf(): string {
    return "postgresql";
  }

  protected growable(f: SimFile): boolean {
    return !f.compressed;
  }

  private hourOf(name: string): number | undefined {
    const m = /^error\/postgresql\.log\.(\d{4})-(\d{2})-(\d{2})-(\d{2})(\.gz)?$/.exec(name);
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4]) : undefined;
  }

  protected boundary(t: number): void {
    if (t % HOUR === 0) {
      for (const f of this.table.values()) {
        const hour = this.hourOf(f.name);
        if (hour !== undefined && hour + HOUR <= t) f.open = false;
      }
      if (this.createAtBoundary && !this.table.has(postgresName(t))) this.put(new SimFile(postgresName(t), t, true));
      if (this.gzipAfterHours !== null) {
        for (const f of [...this.table.values()]) {
          const hour = this.hourOf(f.name);
          if (!f.compressed && hour !== undefined && hour + HOUR + this.gzipAfterHours * HOUR <= t) this.compress(f.name);
        }
      }
    }
    this.expire(t - this.retentionMs);
  }

  private compress(name: string): void {
    const f = this.table.get(name)!;
    this.table.delete(name);
    this.put(f.compressTo(`${name}.gz`));
  }

  /** Race: RDS compresses this file right now (renaming it `.gz`). */
  override rotate(name: string): boolean {
    const f = this.table.get(name);
    if (!f || f.open || f.compressed) return false;
    this.compress(name);
    return true;
  }
}
