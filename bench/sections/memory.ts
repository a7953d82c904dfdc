/**
 * 1. Memory and 2. throughput: the real CLI, one child process per file, copying one generated log file of each
 * size; peak RSS vs an idle run; end-to-end MB/s vs in-process gzip of the same bytes at the same level; and
 * the gzip-level table.
 */
import { Writable } from "stream";
import * as zlib from "zlib";
import { DEFAULT_GZIP_LEVEL } from "../../archiver";
import { runCli, type CliRun } from "../lib/cli";
import { bigLogContent } from "../lib/content";
import { childEnv } from "../../local-aws/env";
import { startFakes, tallyRds } from "../lib/fakes";
import { GiB, MB } from "../lib/units";

const BUCKET = "bench-memory";
const FILE = "error/postgresql.log.2024-10-01-00";
const LAST_WRITTEN = Date.UTC(2024, 9, 1, 0, 59, 59);

export interface SizeRun {
  label: string;
  bytes: number;
  peakRssMB: number;
  aboveIdleMB: number;
  sampledHwmMB?: number;
  syncSeconds: number;
  wallSeconds: number;
  cpuSeconds: number;
  mbPerSecond: number;
  compressionRatio: number;
  bytesWritten: number;
  downloadRequests: number;
}

export interface MemoryResult {
  idle: { runs: number; peakRssMB: number[]; medianPeakRssMB: number; wallSeconds: number; cpuSeconds: number };
  sizes: SizeRun[];
  /** (max - min) / min of the peak RSS across sizes, and of the part above idle. */
  spreadPeakRss: number;
  spreadAboveIdle: number;
  maxAboveIdleMB: number;
}

export interface ThroughputResult {
  gzipLevel: number;
  fileBytes: number;
  endToEndMBps: number;
  gzipAloneMBps: number;
  gzipAloneSeconds: number;
  ratioToGzip: number;
  /** CPU seconds of the sync process per GiB copied (user + sys; includes node start, ~0.3 s). */
  cpuSecondsPerGiB: number;
  /** CPU seconds of gzip alone per GiB, in-process (user + sys, zlib's worker thread included). */
  gzipAloneCpuSecondsPerGiB: number;
  /** gzip alone's CPU / the sync process's CPU, per byte: how much of the sync's CPU is gzip. */
  gzipShareOfSyncCpu: number;
  /** the sync process's CPU seconds / its wall seconds during the copy (1.0 = one core busy throughout) */
  syncCpuUtilisation: number;
  /** CPU seconds the bench process (fake RDS + s3rver) spent during the copy */
  fakesCpuSeconds: number;
  compressionRatio: number;
}

export interface GzipLevelRow {
  level: number;
  ratio: number;
  MBps: number;
  cpuSeconds: number;
  cpuSecondsPerGiB: number;
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Streams `size` bytes of the content through zlib gzip in 1 MiB writes (as the fake RDS serves them). */
export async function gzipAlone(size: number, level: number): Promise<{ seconds: number; out: number; cpuSeconds: number }> {
  const content = bigLogContent(size);
  const chunk = 1024 * 1024;
  let out = 0;
  const gzip = zlib.createGzip({ level });
  const sink = new Writable({
    write(c: Buffer, _e, done) {
      out += c.length;
      done();
    },
  });
  const finished = new Promise<void>((resolve, reject) => {
    sink.on("finish", resolve);
    gzip.on("error", reject);
  });
  gzip.pipe(sink);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let at = 0; at < size; at += chunk) {
    const buf = content.generate(at, Math.min(size, at + chunk));
    if (!gzip.write(buf)) await new Promise((r) => gzip.once("drain", r));
  }
  gzip.end();
  await finished;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { seconds, out, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** Each level is measured `reps` times; the fastest run counts (the one least disturbed by other processes). */
export async function gzipLevels(sampleBytes: number, levels: number[], reps = 2): Promise<GzipLevelRow[]> {
  const rows: GzipLevelRow[] = [];
  for (const level of levels) {
    let r = await gzipAlone(sampleBytes, level);
    for (let i = 1; i < reps; i++) {
      const again = await gzipAlone(sampleBytes, level);
      if (again.seconds < r.seconds) r = again;
    }
    rows.push({ level, ratio: round(sampleBytes / r.out, 2), MBps: round(sampleBytes / MB / r.seconds), cpuSeconds: round(r.cpuSeconds, 2), cpuSecondsPerGiB: round(r.cpuSeconds / (sampleBytes / GiB), 2) });
  }
  return rows;
}

export async function memoryAndThroughput(
  sizes: { label: string; bytes: number }[],
  throughputLabel: string,
  idleRuns: number,
  log: (s: string) => void,
): Promise<{ memory: MemoryResult; throughput: ThroughputResult }> {
  const fakes = await startFakes([BUCKET]);
  try {
    const env = childEnv(fakes.rds, fakes.s3);
    const runs: { label: string; bytes: number; run: CliRun; downloads: number; fakesCpuSeconds: number }[] = [];
    for (const { label, bytes } of sizes) {
      const instance = `mem-${label.toLowerCase()}`;
      fakes.rds.addInstance(instance);
      fakes.rds.putFile(instance, { name: FILE, lastWritten: LAST_WRITTEN, content: bigLogContent(bytes) });
      fakes.rds.resetRequests();
      log(`  copying ${label} (${instance}) through the CLI...`);
      const cpu0 = process.cpuUsage();
      const run = await runCli(["--bucket", BUCKET, "--instance", instance], env);
      const cpu = process.cpuUsage(cpu0);
      const fakesCpuSeconds = (cpu.user + cpu.system) / 1e6;
      const copied = run.report.instances[0]?.copied ?? [];
      if (run.code !== 0 || copied.length !== 1 || run.report.totals.bytesRead !== bytes) {
        throw new Error(`memory run ${label}: exit ${run.code}, ${copied.length} copied, ${run.report.totals.bytesRead} bytes read\n${run.stderr.slice(-1500)}`);
      }
      const downloads = tallyRds(fakes.rds.requests).byAction.download ?? 0;
      runs.push({ label, bytes, run, downloads, fakesCpuSeconds });
      log(`    peak RSS ${round(run.peakRss / MB)} MB, ${round(bytes / MB / (run.syncMs / 1000))} MB/s, sync cpu ${round(run.userS + run.sysS)} s, fakes cpu ${round(fakesCpuSeconds)} s`);
    }

    // Idle: the same CLI against an instance whose file is already archived (one list, one state GET).
    const idle: CliRun[] = [];
    const idleInstance = `mem-${sizes[0].label.toLowerCase()}`;
    for (let i = 0; i < idleRuns; i++) {
      const run = await runCli(["--bucket", BUCKET, "--instance", idleInstance], env);
      if (run.code !== 0 || run.report.totals.copied !== 0) throw new Error(`idle run copied ${run.report.totals.copied} (exit ${run.code})`);
      idle.push(run);
    }
    const idleMB = median(idle.map((r) => r.peakRss / MB));
    log(`  idle run: peak RSS ${round(idleMB)} MB (median of ${idleRuns})`);

    const sizeRuns: SizeRun[] = runs.map(({ label, bytes, run, downloads }) => ({
      label,
      bytes,
      peakRssMB: round(run.peakRss / MB),
      aboveIdleMB: round(run.peakRss / MB - idleMB),
      ...(run.sampledHwm !== undefined ? { sampledHwmMB: round(run.sampledHwm / MB) } : {}),
      syncSeconds: round(run.syncMs / 1000, 2),
      wallSeconds: round(run.wallMs / 1000, 2),
      cpuSeconds: round(run.userS + run.sysS, 2),
      mbPerSecond: round(bytes / MB / (run.syncMs / 1000)),
      compressionRatio: round(bytes / run.report.totals.bytesWritten, 2),
      bytesWritten: run.report.totals.bytesWritten,
      downloadRequests: downloads,
    }));
    const peaks = sizeRuns.map((s) => s.peakRssMB);
    const above = sizeRuns.map((s) => s.aboveIdleMB);
    const spread = (xs: number[]) => round((Math.max(...xs) - Math.min(...xs)) / Math.min(...xs), 3);

    // Throughput: the chosen size's end-to-end rate vs gzip of the same bytes alone, in this process, same level.
    const t = runs.find((r) => r.label === throughputLabel) ?? runs[0];
    log(`  gzip alone (in-process, level ${DEFAULT_GZIP_LEVEL}) over the same ${t.label}...`);
    const alone = await gzipAlone(t.bytes, DEFAULT_GZIP_LEVEL);
    const e2e = t.bytes / MB / (t.run.syncMs / 1000);
    const aloneMBps = t.bytes / MB / alone.seconds;
    log(`    gzip alone ${round(aloneMBps)} MB/s; end to end ${round(e2e)} MB/s`);
    return {
      memory: {
        idle: {
          runs: idleRuns,
          peakRssMB: idle.map((r) => round(r.peakRss / MB)),
          medianPeakRssMB: round(idleMB),
          wallSeconds: round(median(idle.map((r) => r.wallMs / 1000)), 2),
          cpuSeconds: round(median(idle.map((r) => r.userS + r.sysS)), 2),
        },
        sizes: sizeRuns,
        spreadPeakRss: spread(peaks),
        spreadAboveIdle: spread(above.map((x) => Math.max(x, 0.1))),
        maxAboveIdleMB: Math.max(...above),
      },
      throughput: {
        gzipLevel: DEFAULT_GZIP_LEVEL,
        fileBytes: t.bytes,
        endToEndMBps: round(e2e),
        gzipAloneMBps: round(aloneMBps),
        gzipAloneSeconds: round(alone.seconds, 2),
        ratioToGzip: round(e2e / aloneMBps, 3),
        cpuSecondsPerGiB: round((t.run.userS + t.run.sysS) / (t.bytes / GiB), 2),
        gzipAloneCpuSecondsPerGiB: round(alone.cpuSeconds / (t.bytes / GiB), 2),
        gzipShareOfSyncCpu: round(alone.cpuSeconds / (t.run.userS + t.run.sysS), 3),
        syncCpuUtilisation: round((t.run.userS + t.run.sysS) / (t.run.wallMs / 1000), 2),
        fakesCpuSeconds: round(t.fakesCpuSeconds, 2),
        compressionRatio: round(t.bytes / alone.out, 2),
      },
    };
  } finally {
    await fakes.stop();
  }
}
