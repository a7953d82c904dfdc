/**
 * 4. Bytes moved and freshness: one virtual day per rotation scheme, with a sync every 5 virtual minutes
 * (in-process runSync with a virtual clock against the fake RDS and s3rver).
 *
 * Each scheme writes log lines at a steady rate and rotates its files as RDS does. A small ledger remembers,
 * for every line, when it was written and the first sync whose copy of its file contained it.
 * - amplification = bytes downloaded from RDS (the fake's download log) / distinct log bytes archived;
 * - freshness lag = archiving sync's time - the line's write time, over the lines written during the day.
 * The simulation runs on for a tail after the day so the day's last files can close; the tail's own lines
 * are written (rotations need them) but not counted in the lag.
 */
import { DEFAULTS, loadAwsSdk, runSync, type SyncReport, type SyncSettings } from "../../archiver";
import { settingsToEnv } from "../../archiver/settings";
import { SCHEDULED_EVENT } from "../../test/shipped/runner";
import { childEnv } from "../../local-aws/env";
import { VirtualClockFile } from "../../test/shipped/clock";
import { HostPool } from "../../test/shipped/pool";
import { SeededRandom } from "../../local-aws/seeded-random";
import { auditLine, mysqlSlowEntry, postgresLine, sqlServerLine } from "../lib/content";
import { startFakes, tallyRds, tallyS3, type FakeRds, type S3Tally } from "../lib/fakes";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
export const T0 = Date.UTC(2024, 9, 1);
const BUCKET = "bench-rotation";

/** What RDS holds under one name: an append-only run of lines. Renames move the record to another name. */
interface Rec {
  id: number;
  chunks: Buffer[];
  size: number;
  lastWritten: number;
  /** per line: write time and byte offset of its end */
  times: number[];
  ends: number[];
  /** lines already archived (a prefix), and the most bytes any archived copy held */
  archivedLines: number;
  archivedBytes: number;
  version: number;
  snapshot?: { version: number; buf: Buffer };
}

class World {
  readonly files = new Map<string, Rec>();
  private nextId = 1;
  readonly lags: number[] = [];
  countedLines = 0;
  countedBytes = 0;
  private readonly all: Rec[] = [];
  constructor(readonly countUntil: number) {}

  rec(createdAt: number): Rec {
    const r: Rec = { id: this.nextId++, chunks: [], size: 0, lastWritten: createdAt, times: [], ends: [], archivedLines: 0, archivedBytes: 0, version: 0 };
    this.all.push(r);
    return r;
  }

  write(rec: Rec, t: number, text: string): void {
    const buf = Buffer.from(text, "utf8");
    rec.chunks.push(buf);
    rec.size += buf.length;
    rec.lastWritten = t;
    rec.times.push(t);
    rec.ends.push(rec.size);
    rec.version++;
    if (t < this.countUntil) {
      this.countedLines++;
      this.countedBytes += buf.length;
    }
  }

  /** A sync copied `name` holding `bytes` bytes at virtual time `now`. */
  archived(name: string, bytes: number, now: number): void {
    const rec = this.files.get(name);
    if (!rec) throw new Error(`sync copied ${name}, which the simulation does not hold`);
    rec.archivedBytes = Math.max(rec.archivedBytes, bytes);
    while (rec.archivedLines < rec.ends.length && rec.ends[rec.archivedLines] <= bytes) {
      const t = rec.times[rec.archivedLines];
      if (t < this.countUntil) this.lags.push(now - t);
      rec.archivedLines++;
    }
  }

  distinctArchivedBytes(): number {
    return this.all.reduce((n, r) => n + r.archivedBytes, 0);
  }

  /** Lines written during the day that no sync archived by the end of the simulation. */
  pendingLines(): number {
    let n = 0;
    for (const r of this.all) for (let i = r.archivedLines; i < r.times.length; i++) if (r.times[i] < this.countUntil) n++;
    return n;
  }
}

/** A rotation scheme: line writers, and what happens at each write and at each time boundary. */
interface Scheme {
  key: string;
  title: string;
  /** mean seconds between lines, per writer */
  writers: { meanGapS: number; line: (r: SeededRandom, t: number) => string }[];
  setup(w: World, t: number): void;
  /** called before each line is written, in time order */
  write(w: World, writer: number, t: number, text: string): void;
  /** time boundaries in (from, to] at which `boundary` runs (hourly or daily rotations) */
  boundaries(from: number, to: number): number[];
  boundary(w: World, t: number): void;
  /** files RDS deletes by retention at time t */
  retain?(w: World, t: number): void;
}

function hourBoundaries(from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = Math.floor(from / HOUR) * HOUR + HOUR; t <= to; t += HOUR) out.push(t);
  return out;
}

const stampHour = (t: number) => new Date(t).toISOString().slice(0, 13).replace("T", "-");

/** Renames a chain: `family.(max-1)` -> `family.max` (the oldest is dropped), ..., `active` -> `family.1`. */
function shiftChain(w: World, active: string, family: string, max: number, t: number): void {
  w.files.delete(`${family}.${max}`);
  for (let n = max - 1; n >= 1; n--) {
    const r = w.files.get(`${family}.${n}`);
    w.files.delete(`${family}.${n}`);
    if (r) w.files.set(`${family}.${n + 1}`, r);
  }
  const cur = w.files.get(active);
  if (cur) w.files.set(`${family}.1`, cur);
  w.files.set(active, w.rec(t));
}

function schemes(instance: (key: string) => string): Scheme[] {
  const mysqlActive = "slowquery/mysql-slowquery.log";
  const auditActive = "audit/server_audit.log";
  const errorActive = "log/ERROR";
  const restart = T0 + 13 * HOUR + 17 * MIN; // a SQL Server restart mid-day
  return [
    {
      key: "mysql-hourly",
      title: "MySQL slow query, hourly .N",
      writers: [{ meanGapS: 2, line: (r, t) => mysqlSlowEntry(r, t, instance("mysql-hourly")) }],
      setup: (w, t) => void w.files.set(mysqlActive, w.rec(t)),
      write: (w, _i, t, text) => w.write(w.files.get(mysqlActive)!, t, text),
      boundaries: hourBoundaries,
      boundary: (w, t) => {
        const cur = w.files.get(mysqlActive)!;
        if (cur.size === 0) return;
        // the hour's content moves to .<hour>, replacing yesterday's file of the same name
        w.files.set(`${mysqlActive}.${new Date(t - 1).getUTCHours()}`, cur);
        w.files.set(mysqlActive, w.rec(t));
      },
    },
    {
      key: "audit-chain",
      title: "MySQL audit plugin, .1-.9 by size",
      writers: [{ meanGapS: 0.5, line: (r, t) => auditLine(r, t, instance("audit-chain")) }],
      setup: (w, t) => void w.files.set(auditActive, w.rec(t)),
      write: (w, _i, t, text) => {
        // server_audit_file_rotate_size default 1,000,000 bytes; 9 rotations kept
        if (w.files.get(auditActive)!.size + Buffer.byteLength(text) > 1_000_000) shiftChain(w, auditActive, auditActive, 9, t);
        w.write(w.files.get(auditActive)!, t, text);
      },
      boundaries: () => [],
      boundary: () => undefined,
    },
    {
      key: "aurora-audit",
      title: "Aurora MySQL audit, 4 writers",
      writers: [0, 1, 2, 3].map(() => ({ meanGapS: 1.5, line: (r: SeededRandom, t: number) => auditLine(r, t, instance("aurora-audit")) })),
      setup: () => undefined,
      write: (w, i, t, text) => {
        // a new file per writer each hour (and at 100 MB: never reached at this rate)
        const name = `audit/audit.log.${i}.${stampHour(t)}-00.0`;
        if (!w.files.has(name)) w.files.set(name, w.rec(t));
        w.write(w.files.get(name)!, t, text);
      },
      boundaries: () => [],
      boundary: () => undefined,
      retain: (w, t) => {
        for (const [name, r] of w.files) if (r.lastWritten < t - DAY) w.files.delete(name);
      },
    },
    {
      key: "postgres-hourly",
      title: "PostgreSQL, hourly files",
      writers: [{ meanGapS: 0.5, line: postgresLine }],
      setup: () => undefined,
      write: (w, _i, t, text) => {
        const name = `error/postgresql.log.${stampHour(t)}`;
        if (!w.files.has(name)) w.files.set(name, w.rec(t));
        w.write(w.files.get(name)!, t, text);
      },
      boundaries: () => [],
      boundary: () => undefined,
    },
    {
      key: "sqlserver-error",
      title: "SQL Server ERROR, .1-.6 daily + restart",
      writers: [{ meanGapS: 20, line: sqlServerLine }],
      setup: (w, t) => void w.files.set(errorActive, w.rec(t)),
      write: (w, _i, t, text) => w.write(w.files.get(errorActive)!, t, text),
      boundaries: (from, to) => {
        const out: number[] = [];
        for (let d = Math.floor(from / DAY) * DAY + DAY; d <= to; d += DAY) out.push(d);
        if (restart > from && restart <= to) out.push(restart);
        return out.sort((a, b) => a - b);
      },
      boundary: (w, t) => {
        if (w.files.get(errorActive)!.size === 0) return;
        shiftChain(w, errorActive, errorActive, 6, t);
      },
    },
  ];
}

/** Makes the fake RDS list exactly what the world holds (a sync never runs while the world changes). */
function reconcile(rds: FakeRds, instance: string, w: World, shown: Map<string, { id: number; version: number }>): void {
  for (const name of [...shown.keys()]) {
    if (!w.files.has(name)) {
      rds.removeFile(instance, name);
      shown.delete(name);
    }
  }
  for (const [name, rec] of w.files) {
    const seen = shown.get(name);
    if (seen && seen.id === rec.id && seen.version === rec.version) continue;
    if (!rec.snapshot || rec.snapshot.version !== rec.version) rec.snapshot = { version: rec.version, buf: Buffer.concat(rec.chunks) };
    rec.chunks = [rec.snapshot.buf];
    rds.putFile(instance, { name, lastWritten: rec.lastWritten, content: rec.snapshot.buf });
    shown.set(name, { id: rec.id, version: rec.version });
  }
}

export interface SchemeRun {
  scheme: string;
  title: string;
  activeRefreshMinutes: number;
  syncs: number;
  linesWritten: number;
  logBytesWritten: number;
  distinctBytesArchived: number;
  bytesDownloaded: number;
  amplification: number;
  downloads: number;
  filesCopied: number;
  lagMinutes: { median: number; p95: number; max: number };
  /** lines written during the day still not archived when the simulation ended */
  pendingLines: number;
  s3: S3Tally;
  rdsRequests: number;
  failed: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function rotation(
  opts: {
    hours: number; tailHours: number; intervalMin: number; offsetS: number; refreshKnob: number[]; knobScheme: string;
    /** "serialized": the sync function as `pulumi up` ships it, in a host process on the virtual clock (test/shipped). */
    runner?: "in-process" | "serialized";
  },
  log: (s: string) => void,
): Promise<SchemeRun[]> {
  const fakes = await startFakes([BUCKET]);
  const env: NodeJS.ProcessEnv = {
    AWS_REGION: fakes.rds.region,
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_ENDPOINT_URL_RDS: fakes.rds.endpoint,
    AWS_ENDPOINT_URL_S3: fakes.s3.endpoint,
    AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
    AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
  };
  const sdk = loadAwsSdk();
  const results: SchemeRun[] = [];
  try {
    const plan: { key: string; refresh: number }[] = [];
    for (const s of schemes(() => "")) {
      plan.push({ key: s.key, refresh: 0 });
      if (s.key === opts.knobScheme) for (const m of opts.refreshKnob.filter((m) => m > 0)) plan.push({ key: s.key, refresh: m });
    }
    for (const { key, refresh } of plan) {
      const instance = `sim-${key}${refresh ? `-r${refresh}` : ""}`;
      const scheme = schemes(() => instance).find((s) => s.key === key)!;
      const dayEnd = T0 + opts.hours * HOUR;
      const end = dayEnd + opts.tailHours * HOUR;
      const w = new World(dayEnd);
      const rng = new SeededRandom(0xbe7c4 + key.length * 7919);
      fakes.rds.addInstance(instance);
      fakes.rds.resetRequests();
      fakes.s3.resetRequests();
      scheme.setup(w, T0);
      const nextAt = scheme.writers.map((wr) => T0 + rng.next() * wr.meanGapS * 1000);
      const shown = new Map<string, { id: number; version: number }>();
      let virtualNow = T0;
      let syncs = 0;
      let copied = 0;
      let failed = 0;
      const settings: SyncSettings = {
        bucket: BUCKET, instances: [instance], clusters: [], include: [], concurrency: 4, activeRefreshMinutes: refresh, dryRun: false,
        connectTimeoutSeconds: DEFAULTS.connectTimeoutSeconds, readTimeoutSeconds: DEFAULTS.readTimeoutSeconds,
      };
      const clock = opts.runner === "serialized" ? VirtualClockFile.create(virtualNow) : undefined;
      const hosts = clock ? new HostPool("sync", { env: childEnv(fakes.rds, fakes.s3, settingsToEnv(settings)), clock }) : undefined;
      try {
        for (let tick = T0 + opts.offsetS * 1000; tick <= end; tick += opts.intervalMin * MIN) {
          // advance the world to the tick: lines and boundaries in time order
          const bounds = scheme.boundaries(virtualNow, tick);
          for (;;) {
            let wi = -1;
            for (let i = 0; i < nextAt.length; i++) if (nextAt[i] <= tick && (wi < 0 || nextAt[i] < nextAt[wi])) wi = i;
            const nextLine = wi < 0 ? Infinity : nextAt[wi];
            if (bounds.length > 0 && bounds[0] <= nextLine) {
              scheme.boundary(w, bounds.shift()!);
              continue;
            }
            if (wi < 0) break;
            const t = Math.floor(nextLine);
            scheme.write(w, wi, t, scheme.writers[wi].line(rng, t));
            nextAt[wi] += (0.5 + rng.next()) * scheme.writers[wi].meanGapS * 1000;
          }
          scheme.retain?.(w, tick);
          virtualNow = tick;
          clock?.set(tick);
          reconcile(fakes.rds, instance, w, shown);
          const report: SyncReport = hosts
            ? await hosts.call<SyncReport>(SCHEDULED_EVENT)
            : await runSync(settings, { sdk, env, now: () => virtualNow, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
          syncs++;
          failed += report.totals.failed + report.errors.length;
          for (const inst of report.instances) {
            for (const c of inst.copied) {
              w.archived(c.file, c.bytesRead ?? 0, virtualNow);
              copied++;
            }
          }
        }
      } finally {
        await hosts?.stop();
        clock?.dispose();
      }
      const downloads = tallyRds(fakes.rds.requests, (id) => id === instance);
      const lags = [...w.lags].sort((a, b) => a - b);
      const distinct = w.distinctArchivedBytes();
      const run: SchemeRun = {
        scheme: key,
        title: scheme.title,
        activeRefreshMinutes: refresh,
        syncs,
        linesWritten: w.countedLines,
        logBytesWritten: w.countedBytes,
        distinctBytesArchived: distinct,
        bytesDownloaded: downloads.downloadBytes,
        amplification: round(downloads.downloadBytes / distinct, 3),
        downloads: downloads.byAction.download ?? 0,
        filesCopied: copied,
        lagMinutes: { median: round(quantile(lags, 0.5) / MIN), p95: round(quantile(lags, 0.95) / MIN), max: round((lags[lags.length - 1] ?? NaN) / MIN) },
        pendingLines: w.pendingLines(),
        s3: tallyS3(fakes.s3.requests),
        rdsRequests: downloads.total,
        failed,
      };
      results.push(run);
      log(
        `  ${key}${refresh ? ` (refresh ${refresh} min)` : ""}: amplification ${run.amplification}, lag median ${run.lagMinutes.median} / max ${run.lagMinutes.max} min, ` +
          `${run.filesCopied} copies, ${run.pendingLines} lines pending${failed ? `, ${failed} FAILED` : ""}`,
      );
    }
  } finally {
    await fakes.stop();
  }
  return results;
}
