/**
 * Aurora MySQL audit: up to 4 writers append concurrently to `audit/audit.log.<k>.<YYYY-MM-DD-HH-MM>.<n>`.
 *
 * Choices (documented here because RDS does not document them):
 * - Each line goes to a random writer that is not silent, so lines are not in time order across files.
 * - A writer opens its file lazily, on its first line in an hour. The stamp is that hour (`HH-00`) and n
 *   starts at 1. A writer that stays silent keeps its last (old-stamped) file as its newest one.
 * - When a file exceeds `thresholdBytes`, the writer's next line opens a new file: with the default
 *   `sizeRotation: "next-sequence"` the stamp stays and n increments; with `"minute-stamp"` the stamp becomes
 *   the current minute (`HH-MM`) and n restarts at 1.
 * - A file is closed (never appended to again) once its writer moved to a newer file or its hour ended.
 * - Writers go silent for 1 to 5 hours at random; retention is 24 h.
 */
import { DAY, HOUR, floorTo, ymdhm } from "../time";
import { EngineModel, ModelOptions, SimFile } from "./model";

export interface AuroraAuditOptions extends ModelOptions {
  writers?: number;
  thresholdBytes?: number;
  sizeRotation?: "next-sequence" | "minute-stamp";
  /** Chance per writer per hour of going silent (for 1..5 hours). */
  silentChance?: number;
  retentionMs?: number;
}

interface Writer {
  k: number;
  file?: SimFile;
  stamp: number;
  n: number;
  silentUntil: number;
  /** The writer's next line opens a new file (after a size rotation). */
  full: boolean;
}

export class AuroraAuditModel extends EngineModel {
  readonly scheme = "aurora-audit" as const;
  private readonly writers: Writer[];
  private readonly thresholdBytes: number;
  private readonly sizeRotation: "next-sequence" | "minute-stamp";
  private readonly silentChance: number;
  private readonly retentionMs: number;
  sizeRotations = 0;

  constructor(o: AuroraAuditOptions) {
    super(o);
    this.thresholdBytes = o.thresholdBytes ?? 40_000;
    this.sizeRotation = o.sizeRotation ?? "next-sequence";
    this.silentChance = o.silentChance ?? 0.08;
    this.retentionMs = o.retentionMs ?? DAY;
    this.writers = Array.from({ length: o.writers ?? 4 }, (_, k) => ({ k, stamp: 0, n: 0, silentUntil: 0, full: false }));
  }

  protected writeLine(at: number): void {
    const awake = this.writers.filter((w) => w.silentUntil <= at);
    const w = awake.length > 0 ? this.rng.pick(awake) : this.writers[0];
    this.appendFor(w, at, this.ledger.write(this.instance, `audit.${w.k}`, at));
  }

  private appendFor(w: Writer, at: number, line: string): void {
    const hour = floorTo(at, HOUR);
    if (!w.file || w.stamp < hour) this.openFile(w, hour, hour, 1);
    else if (w.full) {
      if (this.sizeRotation === "next-sequence") this.openFile(w, w.stamp, w.stamp, w.n + 1);
      else this.openFile(w, floorTo(at, 60_000), hour, 1);
    }
    w.file!.append(line, at);
    if (w.file!.size > this.thresholdBytes) {
      w.full = true;
      this.sizeRotations++;
    }
  }

  private openFile(w: Writer, stampTime: number, hour: number, n: number): void {
    if (w.file) w.file.open = false;
    let name = `audit/audit.log.${w.k}.${ymdhm(stampTime)}.${n}`;
    while (this.table.has(name)) name = `audit/audit.log.${w.k}.${ymdhm(stampTime)}.${++n}`;
    w.file = this.put(new SimFile(name, stampTime, true));
    w.stamp = hour;
    w.n = n;
    w.full = false;
  }

  protected streamOf(f: SimFile): string {
    return `audit.${/^audit\/audit\.log\.(\d+)\./.exec(f.name)?.[1] ?? "0"}`;
  }

  /** Late writes may land in any audit file, even one whose writer moved on (a grow race). */
  protected growable(): boolean {
    return true;
  }

  protected boundary(t: number): void {
    if (t % HOUR === 0) {
      for (const w of this.writers) {
        if (w.file) w.file.open = false;
        if (w.silentUntil <= t && this.rng.chance(this.silentChance)) w.silentUntil = t + this.rng.int(1, 5) * HOUR;
      }
    }
    this.expire(t - this.retentionMs);
  }
}
