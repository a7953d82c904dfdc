/**
 * SQL Server: `log/ERROR` is the active error log; `log/ERROR.1` … `log/ERROR.6` are older ones.
 *
 * The log cycles daily at 00:00 UTC and at every restart: `.6` is dropped, `.5`→`.6` … `.1`→`.2`,
 * `ERROR`→`ERROR.1`, and a new `ERROR` starts with one line written in the same millisecond (the
 * "log cycled" or startup message). Restarts happen at random times; some come in quick series of 2 or 3
 * within one millisecond, which leaves several members with the same LastWritten.
 */
import { DAY } from "../time";
import { EngineModel, ModelOptions, SimFile } from "./model";

export const SQLSERVER_ACTIVE = "log/ERROR";
const REINIT = "The error log has been reinitialized. See the previous log for older entries.";

export interface SqlServerOptions extends ModelOptions {
  rotations?: number;
  /** Mean restarts per day. */
  restartsPerDay?: number;
  /** Chance that a restart is a series of 2..3 cycles in the same millisecond. */
  seriesChance?: number;
}

export class SqlServerModel extends EngineModel {
  readonly scheme = "sqlserver" as const;
  private readonly rotations: number;
  private readonly restartsPerDay: number;
  private readonly seriesChance: number;
  cycles = 0;

  constructor(o: SqlServerOptions) {
    super(o);
    this.rotations = o.rotations ?? 6;
    this.restartsPerDay = o.restartsPerDay ?? 3;
    this.seriesChance = o.seriesChance ?? 0.3;
    this.put(new SimFile(SQLSERVER_ACTIVE, o.start, true));
  }

  protected override tick(a: number, b: number, times: number[]): void {
    // Restarts: a Poisson process; each one cycles the log at a random instant inside [a, b).
    const restarts = this.quiesced ? 0 : this.rng.poisson((this.restartsPerDay * (b - a)) / DAY);
    const events: { at: number; restart: boolean }[] = times.map((at) => ({ at, restart: false }));
    for (let i = 0; i < restarts; i++) events.push({ at: a + Math.floor(this.rng.next() * (b - a)), restart: true });
    events.sort((x, y) => x.at - y.at || Number(x.restart) - Number(y.restart));
    for (const e of events) {
      if (!e.restart) this.writeLine(e.at);
      else {
        const series = this.rng.chance(this.seriesChance) ? this.rng.int(2, 3) : 1;
        for (let i = 0; i < series; i++) this.cycle(e.at, "startup");
      }
    }
  }

  private cycle(at: number, first: "startup" | "reinit" | "none"): void {
    this.rotateChain(SQLSERVER_ACTIVE, this.rotations);
    const f = this.put(new SimFile(SQLSERVER_ACTIVE, at, true));
    // The new log starts with a startup or "reinitialized" line in the same millisecond (none once quiesced).
    // The reinitialized message is the same text every time: such files have equal sizes.
    if (!this.quiesced && first !== "none") {
      f.append(this.ledger.write(this.instance, "ERROR", at, first === "reinit" ? REINIT : undefined), at);
    }
    this.cycles++;
  }

  /**
   * An operator runs sp_cycle_errorlog `count` times, `gapMs` apart (0: all in one millisecond). With "reinit"
   * each new log starts with the same "reinitialized" line, so the files it leaves have equal sizes; with
   * "startup" the first lines differ in length.
   */
  cycleLog(count: number, gapMs = 0, first: "reinit" | "startup" | "none" = "reinit"): void {
    for (let i = 0; i < count; i++) {
      if (i > 0 && gapMs > 0) this.advanceTo(this.now + gapMs);
      this.cycle(this.now, first);
    }
  }

  protected writeLine(at: number): void {
    this.table.get(SQLSERVER_ACTIVE)!.append(this.ledger.write(this.instance, "ERROR", at), at);
  }

  protected streamOf(): string {
    return "ERROR";
  }

  protected boundary(t: number): void {
    if (t % DAY === 0) this.cycle(t, "reinit");
  }

  /** End of a scenario: an admin cycles the log (sp_cycle_errorlog) so nothing stays in the active file. */
  override closeActive(): void {
    if (this.table.get(SQLSERVER_ACTIVE)!.lines.length > 0) this.cycle(this.now, "reinit");
  }

  /** Race: a restart right now renames the whole chain. */
  override rotate(name: string): boolean {
    if (name !== SQLSERVER_ACTIVE && !name.startsWith(`${SQLSERVER_ACTIVE}.`)) return false;
    this.cycle(this.now, "startup");
    return true;
  }
}
