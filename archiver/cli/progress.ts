/**
 * Progress for long work: per copy bytes, rate and ETA; per run files done of files planned, and the overall
 * rate. The tracker folds sync events into a state, the renderers turn the state into one line; both are pure
 * given the clock. progressReporter is the shell: on a terminal one line updated in place, elsewhere (CI logs,
 * pipes) a plain line every interval; problems are printed once, above the progress line, as they happen.
 */
import type { SyncEvent, SyncReport } from "../report";
import { formatBytes, formatDuration, formatRate, truncateMiddle } from "./format";
import { errorLines, problemLine } from "./problems";

/** Copies from this size on are named on the progress line; smaller ones are counted. */
export const LARGE_COPY = 8 * 1024 * 1024;

export interface CopyInFlight {
  instance: string;
  file: string;
  size: number;
  bytesRead: number;
  startedAt: number;
}

export interface ProgressState {
  /** When the first copy started: the overall rate is measured from there. */
  firstCopyAt?: number;
  /** Per instance: copies finished before its latest plan, plus that plan's copies. */
  planned: Record<string, { files: number; bytes: number }>;
  finished: Record<string, { files: number; bytes: number }>;
  /** Bytes read by copies that ended (copied, failed or deferred mid-way). */
  bytesReadDone: number;
  inFlight: CopyInFlight[];
  failed: number;
  deferred: number;
}

export function emptyProgress(): ProgressState {
  return { planned: {}, finished: {}, bytesReadDone: 0, inFlight: [], failed: 0, deferred: 0 };
}

/** Folds one event into the state (in place: a backfill sends many thousands). */
export function track(s: ProgressState, e: SyncEvent, now: number): void {
  const finished = (s.finished[e.instance] ??= { files: 0, bytes: 0 });
  const end = (file: string) => {
    const i = s.inFlight.findIndex((c) => c.instance === e.instance && c.file === file);
    const copy = i >= 0 ? s.inFlight.splice(i, 1)[0] : undefined;
    finished.files += 1;
    finished.bytes += copy?.size ?? 0;
    return copy;
  };
  switch (e.type) {
    case "planned":
      s.planned[e.instance] = { files: finished.files + e.files, bytes: finished.bytes + e.bytes };
      break;
    case "copy-start":
      s.firstCopyAt ??= now;
      s.inFlight.push({ instance: e.instance, file: e.file, size: e.size, bytesRead: 0, startedAt: now });
      break;
    case "progress": {
      const copy = s.inFlight.find((c) => c.instance === e.instance && c.file === e.file);
      if (copy) copy.bytesRead = e.bytesRead;
      break;
    }
    case "copied":
      end(e.file);
      s.bytesReadDone += e.bytesRead;
      break;
    case "deferred":
      s.bytesReadDone += end(e.file)?.bytesRead ?? 0;
      s.deferred++;
      break;
    case "failed":
      // A failed copy carries its key; a file the planner refused, or a whole instance, was never planned.
      if (e.file !== undefined && e.key !== undefined) s.bytesReadDone += end(e.file)?.bytesRead ?? 0;
      s.failed++;
      break;
  }
}

export interface ProgressFigures {
  filesDone: number;
  filesPlanned: number;
  bytesRead: number;
  bytesPlanned: number;
  /** Bytes per second since the first copy started. */
  rate: number;
  etaMs?: number;
}

export function figures(s: ProgressState, now: number): ProgressFigures {
  const sum = (r: Record<string, { files: number; bytes: number }>, k: "files" | "bytes") => Object.values(r).reduce((n, v) => n + v[k], 0);
  const filesDone = sum(s.finished, "files");
  const filesPlanned = Math.max(filesDone, sum(s.planned, "files"));
  const bytesPlanned = sum(s.planned, "bytes");
  const inFlightRead = s.inFlight.reduce((n, c) => n + c.bytesRead, 0);
  const bytesRead = s.bytesReadDone + inFlightRead;
  const elapsed = s.firstCopyAt === undefined ? 0 : now - s.firstCopyAt;
  const rate = elapsed > 0 ? (bytesRead * 1000) / elapsed : 0;
  if (elapsed < 1000 || rate <= 0) return { filesDone, filesPlanned, bytesRead, bytesPlanned, rate };
  // What is left: the planned bytes of copies not finished, less what the ones in flight have read; and the
  // files left, which for a backfill of small files take longer than their bytes suggest. The slower wins.
  const bytesLeft = Math.max(0, bytesPlanned - sum(s.finished, "bytes") - inFlightRead);
  const byBytes = (bytesLeft / rate) * 1000;
  const byFiles = filesDone > 0 ? ((filesPlanned - filesDone) * elapsed) / filesDone : 0;
  return { filesDone, filesPlanned, bytesRead, bytesPlanned, rate, etaMs: Math.max(byBytes, byFiles) };
}

/** "200.1/200.3 MiB", or "512.0 MiB/2.0 GiB" across units. */
function bytesOf(done: number, total: number): string {
  const [d, t] = [formatBytes(done), formatBytes(total)];
  const unit = (x: string) => x.slice(x.indexOf(" "));
  return unit(d) === unit(t) && d.includes(".") ? `${d.slice(0, d.indexOf(" "))}/${t}` : `${d}/${t}`;
}

function copyFigures(c: CopyInFlight, now: number, withRate = true): string {
  const elapsed = now - c.startedAt;
  const rate = elapsed > 0 ? (c.bytesRead * 1000) / elapsed : 0;
  const eta = rate > 0 && elapsed >= 1000 && c.size > c.bytesRead ? ` ETA ${formatDuration(((c.size - c.bytesRead) / rate) * 1000)}` : "";
  return `${bytesOf(c.bytesRead, c.size)}${withRate ? ` ${formatRate(rate)}` : ""}${eta}`;
}

/** The largest copy in flight, when it is large: the one a person waits for. */
function mainCopy(s: ProgressState): CopyInFlight | undefined {
  const largest = s.inFlight.reduce<CopyInFlight | undefined>((best, c) => (!best || c.size > best.size ? c : best), undefined);
  return largest && largest.size >= LARGE_COPY ? largest : undefined;
}

function runFigures(f: ProgressFigures): string {
  const eta = f.etaMs !== undefined ? `, ETA ${formatDuration(f.etaMs)}` : "";
  return `${f.filesDone}/${f.filesPlanned} files, ${bytesOf(f.bytesRead, f.bytesPlanned)}, ${formatRate(f.rate)}${eta}`;
}

/**
 * The terminal's line, never wider than `width`: the run, then the largest copy in flight if large; on a narrow
 * terminal the copy's name is shortened, then its rate dropped, then the copy left out.
 */
export function renderLine(s: ProgressState, now: number, width: number): string {
  const run = runFigures(figures(s, now));
  const copy = mainCopy(s);
  if (!copy) return truncateMiddle(run, width);
  const more = s.inFlight.length > 1 ? ` (+${s.inFlight.length - 1})` : "";
  for (const withRate of [true, false]) {
    const head = `${run} | ${copy.instance} `;
    const tail = ` ${copyFigures(copy, now, withRate)}${more}`;
    const room = width - head.length - tail.length;
    if (room >= Math.min(copy.file.length, 12)) return `${head}${truncateMiddle(copy.file, room)}${tail}`;
  }
  return truncateMiddle(run, width);
}

/** A line for logs: the run, then each large copy in flight, and how many small ones. */
export function renderPlain(s: ProgressState, now: number): string {
  const large = s.inFlight.filter((c) => c.size >= LARGE_COPY).map((c) => `${c.instance} ${c.file} ${copyFigures(c, now)}`);
  const small = s.inFlight.length - large.length;
  const parts = [...large, ...(small > 0 ? [`${small} small file(s)`] : [])];
  return `progress: ${runFigures(figures(s, now))}${parts.length > 0 ? `; copying ${parts.join("; ")}` : ""}`;
}

export interface ProgressOutput {
  /** A whole line on stderr. */
  line: (text: string) => void;
  /** Raw text on stderr, for the line updated in place (a terminal only). */
  raw?: (text: string) => void;
  isTTY: boolean;
  columns?: number;
  now?: () => number;
  /** How often a plain line is printed (not a terminal); a terminal's line is redrawn every second too. */
  intervalMs?: number;
  /** Show progress (off with --quiet, --output json); problems are printed either way. */
  progress: boolean;
  /** Print problems as they happen (off in a dry run: the plan shows them). */
  problems: boolean;
  /** --verbose: also each copy's timing. */
  verbose?: boolean;
}

export interface ProgressReporter {
  onEvent: (e: SyncEvent) => void;
  /** Any other line on stderr (a retry notice), printed above the progress line. */
  note: (text: string) => void;
  /** Clears the progress line and prints the problems the events did not tell. */
  finish: (report?: SyncReport) => void;
}

export function progressReporter(out: ProgressOutput): ProgressReporter {
  const now = out.now ?? Date.now;
  const state = emptyProgress();
  const told = new Set<string>();
  const tty = out.isTTY && out.raw !== undefined && out.progress;
  const width = Math.max(40, (out.columns ?? 80) - 1);
  let shown = false;
  let lastDraw = 0;
  let lastPlain = now();

  const clear = () => {
    if (tty && shown) out.raw!("\r\x1b[2K");
    shown = false;
  };
  const draw = () => {
    if (!tty || (state.firstCopyAt === undefined && Object.keys(state.planned).length === 0)) return;
    out.raw!(`\r\x1b[2K${renderLine(state, now(), width)}`);
    shown = true;
    lastDraw = now();
  };
  const print = (text: string) => {
    clear();
    out.line(text);
    draw();
  };
  const tick = () => {
    if (!out.progress) return;
    if (tty) draw();
    else if (state.firstCopyAt !== undefined && now() - lastPlain >= (out.intervalMs ?? 10_000)) {
      lastPlain = now();
      out.line(renderPlain(state, now()));
    }
  };
  const timer = out.progress ? setInterval(tick, tty ? 1000 : Math.min(1000, out.intervalMs ?? 10_000)) : undefined;
  timer?.unref?.();

  return {
    onEvent(e) {
      track(state, e, now());
      if (out.problems && (e.type === "failed" || e.type === "deferred")) {
        const line = problemLine(e);
        if (line) {
          told.add(`${e.instance}\n${e.file ?? ""}`);
          print(line);
        }
      }
      if (out.verbose && e.type === "copied") {
        print(`copied ${e.instance} ${e.file}: ${formatBytes(e.bytesRead)} in ${formatDuration(e.ms)} (${formatRate(e.ms > 0 ? (e.bytesRead * 1000) / e.ms : 0)}), ${formatBytes(e.bytesWritten)} stored`);
      }
      if (tty && now() - lastDraw >= 100) draw();
      else if (!tty) tick();
    },
    note: (text) => print(text),
    finish(report) {
      if (timer) clearInterval(timer);
      clear();
      if (!report || !out.problems) return;
      for (const r of report.instances) {
        if (r.error && !told.has(`${r.instance}\n`)) out.line(problemLine({ type: "failed", instance: r.instance, reason: r.error.message, code: r.error.code })!);
        for (const f of r.failed) {
          if (!told.has(`${r.instance}\n${f.file}`)) out.line(problemLine({ type: "failed", instance: r.instance, file: f.file, reason: f.reason, ...(f.key ? { key: f.key } : {}) })!);
        }
      }
      for (const line of errorLines(report)) out.line(line);
    },
  };
}
