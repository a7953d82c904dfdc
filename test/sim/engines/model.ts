/**
 * Shared pieces of the engine models: the simulated log file and the virtual-time loop.
 *
 * A model is a pure state machine over virtual time (POSIX ms, UTC). advanceTo(t) appends lines and applies
 * rotations, renames and deletions in time order, exactly as its RDS engine would. No I/O: the driver mirrors
 * files() into the fake RDS.
 */
import { gzipSync } from "node:zlib";
import { Ledger } from "../ledger";
import { SeededRandom } from "../../../local-aws/seeded-random";
import { MINUTE, floorTo } from "../time";

let nextVersion = 1;

/** One log file as RDS holds it: a name, LastWritten, the bytes it serves and the lines those bytes hold. */
export class SimFile {
  private buf: Buffer;
  private len: number;
  private gz?: Buffer;
  private dead = false;
  /** Bumped on every change of name, content or LastWritten; the driver re-mirrors on change. */
  version = nextVersion++;
  /** Plain lines (without "\n") in file order. */
  lines: string[];

  constructor(
    readonly name: string,
    public lastWritten: number,
    /** The model may still append to it (an active file, a dated file whose period has not ended). */
    public open: boolean,
    from?: { buf: Buffer; len: number; lines: string[]; gz?: Buffer },
  ) {
    this.buf = from?.buf ?? Buffer.alloc(0);
    this.len = from?.len ?? 0;
    this.lines = from?.lines ?? [];
    this.gz = from?.gz;
  }

  get compressed(): boolean {
    return this.gz !== undefined;
  }

  append(line: string, at: number): void {
    if (this.dead) throw new Error(`append to ${this.name} after it was renamed`);
    if (this.gz) throw new Error(`append to compressed ${this.name}`);
    const bytes = Buffer.byteLength(line) + 1;
    if (this.len + bytes > this.buf.length) {
      // Grow into a new buffer: views handed out earlier (served()) keep seeing their own bytes.
      const next = Buffer.alloc(Math.max(1024, (this.len + bytes) * 2));
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
    }
    this.len += this.buf.write(line, this.len, "utf8");
    this.buf[this.len++] = 0x0a;
    this.lines.push(line);
    this.lastWritten = Math.max(this.lastWritten, at);
    this.version = nextVersion++;
  }

  /** Empties the file (RDS truncating mysql-error.log after copying it on). */
  truncate(at: number): string[] {
    const lines = this.lines;
    this.buf = Buffer.alloc(0);
    this.len = 0;
    this.lines = [];
    this.lastWritten = at;
    this.version = nextVersion++;
    return lines;
  }

  /** The plain bytes. */
  plain(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** The bytes RDS serves for this name: the gzip of the plain bytes once compressed. */
  served(): Buffer {
    return this.gz ?? this.plain();
  }

  /** The listed Size: the compressed size once compressed. */
  get size(): number {
    return this.gz ? this.gz.length : this.len;
  }

  /** A rename: same content, same LastWritten, new name. This object must not be used afterwards. */
  renameTo(name: string): SimFile {
    this.dead = true;
    return new SimFile(name, this.lastWritten, this.open, { buf: this.buf, len: this.len, lines: this.lines, gz: this.gz });
  }

  /** RDS compressing the file in place and renaming it (`x` -> `x.gz`); gzip keeps the mtime. */
  compressTo(name: string): SimFile {
    this.dead = true;
    const gz = gzipSync(this.plain());
    return new SimFile(name, this.lastWritten, false, { buf: this.buf, len: this.len, lines: this.lines, gz });
  }
}

export type SchemeName = "mysql-hourly" | "mysql-audit" | "aurora-audit" | "postgres" | "sqlserver";

/** A burst of lines: `lines` lines spread over [at, at + spreadMs), or all in the same millisecond when spreadMs is 0. */
export interface Burst {
  at: number;
  lines: number;
  spreadMs: number;
}

export interface ModelOptions {
  instance: string;
  ledger: Ledger;
  rng: SeededRandom;
  /** Virtual start time (ms). */
  start: number;
  /** Mean lines per hour (before the diurnal swing). */
  linesPerHour?: number;
  /** Windows [from, to) with no lines at all: quiet hours. */
  silences?: { from: number; to: number }[];
  bursts?: Burst[];
}

/** What a race may do to one file between the archiver's listing and its download. */
export type RaceAction = "grow" | "rotate" | "vanish";

export abstract class EngineModel {
  abstract readonly scheme: SchemeName;
  readonly instance: string;
  protected readonly ledger: Ledger;
  protected readonly rng: SeededRandom;
  now: number;
  protected readonly table = new Map<string, SimFile>();
  private quiet = false;
  private readonly linesPerHour: number;
  private readonly silences: { from: number; to: number }[];
  private readonly bursts: Burst[];

  constructor(o: ModelOptions) {
    this.instance = o.instance;
    this.ledger = o.ledger;
    this.rng = o.rng;
    this.now = o.start;
    this.linesPerHour = o.linesPerHour ?? 150;
    this.silences = o.silences ?? [];
    this.bursts = [...(o.bursts ?? [])].sort((a, b) => a.at - b.at);
  }

  /** The file table as RDS would list it now. */
  files(): SimFile[] {
    return [...this.table.values()];
  }

  file(name: string): SimFile | undefined {
    return this.table.get(name);
  }

  /** Stops writing new lines; rotations, renames and deletions go on. */
  quiesce(): void {
    this.quiet = true;
  }

  get quiesced(): boolean {
    return this.quiet;
  }

  /** Advances virtual time to t: lines in [now, t) in time order, then each minute boundary's rotations. */
  advanceTo(t: number): void {
    while (this.now < t) {
      const a = this.now;
      const b = Math.min(t, floorTo(a, MINUTE) + MINUTE);
      const times = this.lineTimes(a, b);
      this.tick(a, b, times);
      this.now = b;
      if (b % MINUTE === 0) this.boundary(b);
    }
  }

  /** Lines per minute at time t: a diurnal swing around the mean. */
  protected ratePerMinute(t: number): number {
    if (this.silences.some((s) => t >= s.from && t < s.to)) return 0;
    const hourOfDay = (t / 3_600_000) % 24;
    return (this.linesPerHour / 60) * (1 + 0.6 * Math.sin((2 * Math.PI * (hourOfDay - 8)) / 24));
  }

  private lineTimes(a: number, b: number): number[] {
    if (this.quiet) return [];
    const n = this.rng.poisson((this.ratePerMinute(a) * (b - a)) / MINUTE);
    const times: number[] = [];
    for (let i = 0; i < n; i++) times.push(a + Math.floor(this.rng.next() * (b - a)));
    for (const burst of this.bursts) {
      if (burst.at >= b) break;
      if (burst.at + Math.max(burst.spreadMs, 1) <= a) continue;
      // The share of the burst that falls into [a, b).
      for (let i = 0; i < burst.lines; i++) {
        const at = burst.spreadMs === 0 ? burst.at : burst.at + Math.floor((i * burst.spreadMs) / burst.lines);
        if (at >= a && at < b) times.push(at);
      }
    }
    return times.sort((x, y) => x - y);
  }

  /** Handles the lines (and any model-specific instants) of [a, b). */
  protected tick(_a: number, _b: number, times: number[]): void {
    for (const at of times) this.writeLine(at);
  }

  /** Writes one new line at `at`. */
  protected abstract writeLine(at: number): void;

  /** Rotations due at the minute boundary t. */
  protected abstract boundary(t: number): void;

  /**
   * End of a scenario: rotate an active file that time alone would never rotate (size- or restart-driven
   * schemes), as an operator could. Clock-driven schemes need nothing: their files close as time passes.
   */
  closeActive(): void {}

  // ---- race hooks: the driver calls these between the archiver's listing and its download ----

  /** Appends n lines to `name` now, if it is a file this engine could still append to. */
  grow(name: string, n: number): boolean {
    const f = this.table.get(name);
    if (!f || f.compressed || !this.growable(f)) return false;
    for (let i = 0; i < n; i++) f.append(this.ledger.write(this.instance, this.streamOf(f), this.now), this.now);
    return true;
  }

  /** A rotation that renames `name` (or its chain) now, if this engine renames files. */
  rotate(_name: string): boolean {
    return false;
  }

  /**
   * RDS deletes `name` now. Only closed files whose lines no finished sync has seen are deleted,
   * so the race costs the archiver nothing it could have copied.
   */
  vanish(name: string): boolean {
    const f = this.table.get(name);
    if (!f || f.open || !this.ledger.onlyExposedInFlight(f.lines)) return false;
    this.remove(name);
    return true;
  }

  protected growable(f: SimFile): boolean {
    return f.open;
  }

  /** The stream a file's lines are written as. */
  protected abstract streamOf(f: SimFile): string;

  protected put(f: SimFile): SimFile {
    this.table.set(f.name, f);
    return f;
  }

  /** Deletes a file for good: its lines are gone from RDS. */
  protected remove(name: string): void {
    const f = this.table.get(name);
    if (!f) return;
    this.table.delete(name);
    this.ledger.dropped(f.lines);
  }

  /** Renames `from` to `to` (which must be free), keeping content and LastWritten. */
  protected rename(from: string, to: string): void {
    const f = this.table.get(from);
    if (!f) return;
    if (this.table.has(to)) throw new Error(`rename ${from} -> ${to}: target exists`);
    this.table.delete(from);
    this.table.set(to, f.renameTo(to));
  }

  /**
   * A rename chain `<active>`, `<active>.1` … `<active>.<max>`: rotating drops `.max`, shifts every member up
   * one and renames the active to `.1` (closed from then on). Used by the MySQL audit plugin and SQL Server.
   */
  protected rotateChain(active: string, max: number): void {
    this.remove(`${active}.${max}`);
    for (let k = max - 1; k >= 1; k--) this.rename(`${active}.${k}`, `${active}.${k + 1}`);
    if (this.table.has(active)) {
      this.rename(active, `${active}.1`);
      this.table.get(`${active}.1`)!.open = false;
    }
  }

  /** Deletes closed files last written before `cutoff`. */
  protected expire(cutoff: number, keep: (f: SimFile) => boolean = () => false): void {
    for (const f of [...this.table.values()]) {
      if (!f.open && f.lastWritten < cutoff && !keep(f)) this.remove(f.name);
    }
  }
}
