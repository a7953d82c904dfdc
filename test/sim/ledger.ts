/**
 * The ledger: every line any engine model ever wrote, and what the archiver could have known about it.
 *
 * A line is
 * - "archivable" (required in the archive) once it sat in a closed file (one the model will never append to
 *   again: a rotated file, a dated file whose period ended) at the start of some sync: the archiver had a chance;
 * - "pending" when it is still in an open file (an active, unrotated file) at the end of a scenario;
 * - "unarchivable" otherwise: RDS itself dropped it (rotation chain overflow, retention) before any sync saw it
 *   in a closed file. That is RDS's data loss, not the archiver's; it is counted but never required.
 *
 * A closed file that RDS deletes while the sync that first exposed it is still running (a race) makes its
 * lines unarchivable again: no sync had a complete chance to copy them.
 */
import { SeededRandom } from "../../local-aws/seeded-random";
import { payload } from "./payload";
import { iso } from "./time";

export interface LineRecord {
  /** The full line, without its trailing "\n". */
  text: string;
  instance: string;
  stream: string;
  seq: number;
  at: number;
  /** Index of the first sync that saw this line in a closed file, or -1. */
  firstSync: number;
  /** True once RDS no longer holds the line anywhere. */
  dropped: boolean;
}

/** The parts of a simulator line: `<iso time> <instance> <stream> #<seq> <payload>`. */
export const LINE_PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (\S+) (\S+) #(\d+) (.*)$/;

export interface ParsedLine {
  at: number;
  instance: string;
  stream: string;
  seq: number;
  payload: string;
}

export function parseLine(text: string): ParsedLine | undefined {
  const m = LINE_PATTERN.exec(text);
  if (!m) return undefined;
  return { at: Date.parse(m[1]), instance: m[2], stream: m[3], seq: Number(m[4]), payload: m[5] };
}

/** Anything that holds lines and can say whether it is still written to (SimFile implements it). */
export interface LineHolder {
  readonly lines: readonly string[];
  readonly open: boolean;
}

export class Ledger {
  readonly lines = new Map<string, LineRecord>();
  private readonly seqs = new Map<string, number>();
  private readonly inFlight = new Set<number>();
  private syncs = 0;
  /** Lines that were unmarked because RDS dropped them during the sync that first exposed them. */
  droppedDuringSync = 0;

  constructor(private readonly rng: SeededRandom) {}

  /** Creates, records and returns a new unique line (without "\n"); a fixed payload gives lines of equal length. */
  write(instance: string, stream: string, at: number, fixedPayload?: string): string {
    const key = `${instance} ${stream}`;
    const seq = (this.seqs.get(key) ?? 0) + 1;
    this.seqs.set(key, seq);
    const text = `${iso(at)} ${instance} ${stream} #${seq} ${fixedPayload ?? payload(this.rng)}`;
    this.lines.set(text, { text, instance, stream, seq, at, firstSync: -1, dropped: false });
    return text;
  }

  get syncCount(): number {
    return this.syncs;
  }

  /**
   * A sync opportunity starts: every line now in a closed file becomes archivable. Returns the sync's index;
   * call endSync with it when that sync has finished.
   */
  beginSync(holders: Iterable<LineHolder>): number {
    const index = this.syncs++;
    this.markClosed(holders, index);
    this.inFlight.add(index);
    return index;
  }

  endSync(index: number): void {
    this.inFlight.delete(index);
  }

  /** Marks lines of closed holders as seen by sync `index` (used by beginSync; idempotent). */
  markClosed(holders: Iterable<LineHolder>, index: number): void {
    for (const h of holders) {
      if (h.open) continue;
      for (const text of h.lines) {
        const rec = this.lines.get(text);
        if (rec && rec.firstSync < 0) rec.firstSync = index;
      }
    }
  }

  /** True when every line of `lines` was first exposed by a sync that is still running (or never exposed). */
  onlyExposedInFlight(lines: readonly string[]): boolean {
    return lines.every((t) => {
      const rec = this.lines.get(t);
      return !rec || rec.firstSync < 0 || this.inFlight.has(rec.firstSync);
    });
  }

  /** RDS deleted these lines for good (retention, chain overflow, replaced hourly slot, a race). */
  dropped(lines: readonly string[]): void {
    for (const text of lines) {
      const rec = this.lines.get(text);
      if (!rec) continue;
      rec.dropped = true;
      if (rec.firstSync >= 0 && this.inFlight.has(rec.firstSync)) {
        rec.firstSync = -1;
        this.droppedDuringSync++;
      }
    }
  }

  /**
   * Splits every written line into required / pending / unarchivable. `openNow` holds the lines still
   * in open files at the end of the scenario.
   */
  classify(openNow: Iterable<LineHolder>): LineClasses {
    const pending = new Set<string>();
    for (const h of openNow) {
      if (!h.open) continue;
      for (const t of h.lines) {
        const rec = this.lines.get(t);
        if (rec && rec.firstSync < 0) pending.add(t);
      }
    }
    const required = new Set<string>();
    const unarchivable = new Set<string>();
    for (const rec of this.lines.values()) {
      if (rec.firstSync >= 0) required.add(rec.text);
      else if (!pending.has(rec.text)) unarchivable.add(rec.text);
    }
    return { written: new Set(this.lines.keys()), required, pending, unarchivable };
  }
}

export interface LineClasses {
  /** Every line ever written. */
  written: ReadonlySet<string>;
  /** Lines the archive must hold exactly once. */
  required: ReadonlySet<string>;
  /** Lines still in an open file at the end: may be archived (once) or not. */
  pending: ReadonlySet<string>;
  /** Lines RDS dropped before any sync could see them closed: may be archived (once) or not. */
  unarchivable: ReadonlySet<string>;
}
