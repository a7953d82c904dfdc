/**
 * `npm run bench`: memory, throughput, request counts, bytes moved and cost of the sync engine, against the
 * fake RDS and s3rver on loopback, through the engine's public entry points (the CLI in a child process; runSync
 * in-process for the simulated days). Prints a table and writes the same figures as JSON under bench/results/;
 * a full run also rewrites the figures in docs/performance.md.
 *
 *   BENCH_QUICK=1   small sizes everywhere (for development; writes bench/results/quick.tmp.json)
 *   BENCH_ONLY=memory,gzip,fleet,rotation,bigfile,fan-out   run only these sections (cost uses whatever ran)
 *   BENCH_BIGFILE_GIB=20   the size of the big-file section's file (20 GiB, as the issue asks, takes a long time)
 *   BENCH_BIGFILE_MODES=range   only the copy resumed by Range (default range,skip; with BENCH_MERGE the other keeps its figures)
 *   BENCH_MERGE=1   with BENCH_ONLY: put the sections that ran into bench/results/latest.json, keeping the others' figures
 *   BENCH_RUNNER=serialized   the rotation section runs the sync function as `pulumi up` ships it (test/shipped)
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DEFAULT_GZIP_LEVEL, DEFAULTS } from "../archiver";
import { updatePerformanceDoc } from "./docs";
import { ensureBuilt, ROOT } from "./lib/cli";
import { blockPool } from "./lib/content";
import { externalLoad, gitState, machineInfo, topProcesses } from "./lib/machine";
import type { BenchResult } from "./lib/result";
import { PERFORMANCE_DOC } from "./lib/performance-doc";
import { formatReport } from "./lib/table";
import { GiB, MiB } from "./lib/units";
import { gzipTradeoff, monthlyCost } from "./sections/cost";
import { fleet } from "./sections/fleet";
import { gzipLevels, memoryAndThroughput } from "./sections/memory";
import { rotation } from "./sections/rotation";
import { bigFile, compressionInPlainNode, costPerGB } from "./sections/bigfile";
import { fanOut } from "./sections/fan-out";

const quick = process.env.BENCH_QUICK === "1";
const SECTIONS = "memory,gzip,fleet,rotation,bigfile,fan-out";
const merge = process.env.BENCH_MERGE === "1" && process.env.BENCH_QUICK !== "1";
const only = new Set((process.env.BENCH_ONLY ?? SECTIONS).split(",").map((s) => s.trim()).filter(Boolean));

const config = quick
  ? {
      sizes: [{ label: "16MiB", bytes: 16 * MiB }, { label: "64MiB", bytes: 64 * MiB }, { label: "128MiB", bytes: 128 * MiB }],
      throughputLabel: "128MiB",
      idleRuns: 2,
      gzipSampleBytes: 16 * MiB,
      fleetInstances: 10,
      simHours: 3,
      bigFileBytes: 256 * MiB,
      compressionSampleBytes: 32 * MiB,
      fanOut: { instances: 60, clusters: 2, sampleBytes: 16 * MiB, workerConcurrency: 10 },
    }
  : {
      sizes: [{ label: "256MiB", bytes: 256 * MiB }, { label: "1GiB", bytes: GiB }, { label: "2GiB", bytes: 2 * GiB }],
      throughputLabel: "1GiB",
      idleRuns: 3,
      gzipSampleBytes: 64 * MiB,
      fleetInstances: 200,
      simHours: 24,
      bigFileBytes: Number(process.env.BENCH_BIGFILE_GIB ?? 20) * GiB,
      compressionSampleBytes: 128 * MiB,
      fanOut: { instances: 500, clusters: 10, sampleBytes: 64 * MiB, workerConcurrency: 50 },
    };
/** The simulated invocation deadline of the big-file section. */
const BIG_FILE_DEADLINE_S = 60;
const GZIP_LEVELS = [1, 3, 6, 9];
const CONCURRENCIES = [1, 4, 16];
const SIM = { tailHours: 2, intervalMin: 5, offsetS: 150, refreshKnob: [0, 15, 30, 60], knobScheme: "postgres-hourly" };
const COST = { instances: 10, gibPerDayPerInstance: 1 };

async function main(): Promise<void> {
  const started = Date.now();
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const machine = machineInfo();
  const loadAtStart = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const top = topProcesses();
  const external: Record<string, number | undefined> = { start: await externalLoad() };
  log(`bench${quick ? " (BENCH_QUICK)" : ""} on ${machine.cores} x ${machine.cpuModel}, Node ${machine.node}; other load ${external.start ?? "?"} cores`);
  const built = ensureBuilt();
  const git = gitState(ROOT);
  blockPool(); // build the content pool before anything is timed

  const result: BenchResult = {
    generatedAt: new Date().toISOString(),
    quick,
    durationSeconds: 0,
    machine: { ...machine, loadAverageAtStart: loadAtStart, loadAverageAtEnd: [], externalLoadCores: external, shared: false, sharedNote: "", topProcessesAtStart: top },
    engine: { ...git, outRebuilt: built.rebuilt, defaultGzipLevel: DEFAULT_GZIP_LEVEL, defaultConcurrency: DEFAULTS.concurrency },
    targets: {
      memoryAboveIdle: { limitMB: 150 },
      memorySpread: { limit: 0.1 },
      throughputRatio: { limit: 0.8 },
      steadyS3PerInstance: { limit: 2 },
      amplification: { limit: 1.2 },
    },
  };

  if (only.has("memory")) {
    log("1+2. memory and throughput (the CLI, one child process per file)");
    const { memory, throughput } = await memoryAndThroughput(config.sizes, config.throughputLabel, config.idleRuns, log);
    result.memory = memory;
    result.throughput = throughput;
    external.afterMemory = await externalLoad();
  }
  if (only.has("gzip")) {
    log(`2b. gzip levels ${GZIP_LEVELS.join("/")} on ${config.gzipSampleBytes / MiB} MiB of the same logs (in-process zlib)`);
    result.gzipLevels = await gzipLevels(config.gzipSampleBytes, GZIP_LEVELS);
    if (result.throughput) result.gzipRecommendation = gzipTradeoff(result.gzipLevels, result.throughput);
    external.afterGzip = await externalLoad();
  }
  if (only.has("fleet")) {
    log(`3. fleet: ${config.fleetInstances} instances x 40 files (the CLI)`);
    result.fleet = await fleet(config.fleetInstances, CONCURRENCIES, DEFAULTS.concurrency, log);
    external.afterFleet = await externalLoad();
  }
  if (only.has("rotation")) {
    const runner = process.env.BENCH_RUNNER === "serialized" ? "serialized" : "in-process";
    log(`4. one simulated day per rotation scheme, a sync every ${SIM.intervalMin} virtual minutes (${runner === "serialized" ? "the serialized function" : "in-process runSync"})`);
    const runs = await rotation({ hours: config.simHours, ...SIM, runner }, log);
    result.rotation = { hours: config.simHours, tailHours: SIM.tailHours, syncEveryMinutes: SIM.intervalMin, firstSyncOffsetSeconds: SIM.offsetS, runs };
    external.afterRotation = await externalLoad();
  }
  if (only.has("bigfile")) {
    log(`6b. compression: one gzip stream vs gzip members on 1 and 2 threads, ${config.compressionSampleBytes / MiB} MiB`);
    const c = await compressionInPlainNode(config.compressionSampleBytes);
    result.bigFile = { compression: c, costPerGB: costPerGB(c) };
    // BENCH_BIGFILE_GIB=0 measures compression only; with BENCH_MERGE the big-file figures stay from the last run.
    if (config.bigFileBytes > 0) {
      // BENCH_BIGFILE_MODES=range leaves out the run without Range, whose invocations re-read ever longer prefixes.
      const modes = (process.env.BENCH_BIGFILE_MODES ?? "range,skip").split(",");
      if (modes.includes("range")) {
        log(`6a. a ${(config.bigFileBytes / GiB).toFixed(2)} GiB file, simulated invocations with a ${BIG_FILE_DEADLINE_S} s deadline, resumed by Range`);
        result.bigFile.bigFileByRange = await bigFile(config.bigFileBytes, BIG_FILE_DEADLINE_S, "range", log);
      }
      if (modes.includes("skip")) {
        log(`6a. the same file, RDS ignoring Range: each invocation re-reads the prefix`);
        result.bigFile.bigFile = await bigFile(config.bigFileBytes, BIG_FILE_DEADLINE_S, "skip", log);
      }
    }
    external.afterBigFile = await externalLoad();
  }
  if (only.has("fan-out")) {
    log(`6. fan-out: ${config.fanOut.instances} instances through the dispatcher, the FIFO fake and the workers (in-process handlers)`);
    const previous = merge ? (JSON.parse(fs.readFileSync(path.join(ROOT, "bench", "results", "latest.json"), "utf8")) as BenchResult) : undefined;
    const throughput = result.throughput ?? previous?.throughput;
    const measured = await fanOut({
      ...config.fanOut,
      ...(throughput ? { throughput } : {}), membersPerCluster: 5, filesPerInstance: 2, backfillGiBPerInstance: 5, scheduleMinutes: SIM.intervalMin,
      gibPerDayPerInstance: 5, workerMemoryMB: [512, 1024, 1769], workerTimeoutS: 900,
    }, log);
    result.fanOut = { ...measured, generatedAt: new Date().toISOString(), commit: git.commit };
    external.afterFanOut = await externalLoad();
  }
  if (result.memory && result.throughput) {
    result.cost = monthlyCost({
      ...COST,
      syncIntervalMin: SIM.intervalMin,
      memory: result.memory,
      throughput: result.throughput,
      ...(result.fleet ? { fleet: result.fleet } : {}),
      ...(result.rotation ? { scheme: result.rotation.runs.find((r) => r.scheme === SIM.knobScheme && r.activeRefreshMinutes === 0) } : {}),
      concurrency: DEFAULTS.concurrency,
    });
  }

  evaluateTargets(result);
  const loads = Object.values(external).filter((x): x is number => x !== undefined);
  const maxExternal = loads.length ? Math.max(...loads) : 0;
  result.machine.loadAverageAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
  result.machine.shared = maxExternal >= 0.25;
  result.machine.sharedNote = result.machine.shared
    ? `shared: other processes kept up to ${maxExternal} of ${machine.cores} cores busy between sections; wall-clock figures are pessimistic`
    : "not shared: no other process used a noticeable share of the CPU between sections";
  result.durationSeconds = Math.round((Date.now() - started) / 1000);
  result.engine.commitAtEnd = gitState(ROOT).commit;

  const dir = path.join(ROOT, "bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  const name = quick || (only.size < SECTIONS.split(",").length && !merge) ? "quick.tmp" : "latest";
  const written = merge ? mergedInto(JSON.parse(fs.readFileSync(path.join(dir, "latest.json"), "utf8")), result) : result;
  const table = formatReport(written);
  process.stdout.write(`${table}\n`);
  fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(written, null, 2)}\n`);
  if (name === "latest") {
    fs.writeFileSync(path.join(dir, "latest.txt"), `${table}\n`);
    updatePerformanceDoc(written);
  }
  log(`wrote bench/results/${name}.json${name === "latest" ? `, latest.txt and the figures of ${PERFORMANCE_DOC}` : ""} (${result.durationSeconds} s)`);
}

/** The earlier full result with the sections of this run in place of its own; the machine and engine stay the full run's. */
function mergedInto(previous: BenchResult, ran: BenchResult): BenchResult {
  const sections = ["memory", "throughput", "gzipLevels", "gzipRecommendation", "fleet", "rotation", "cost", "bigFile", "fanOut"] as const;
  const merged: BenchResult = { ...previous };
  for (const key of sections) if (ran[key] !== undefined) (merged as unknown as Record<string, unknown>)[key] = ran[key];
  // The big-file section may run without its file (BENCH_BIGFILE_GIB=0): the file's figures stay from the last run.
  if (ran.bigFile) merged.bigFile = { ...previous.bigFile, ...ran.bigFile };
  return merged;
}

function evaluateTargets(r: BenchResult): void {
  const t = r.targets;
  if (r.memory) {
    t.memoryAboveIdle.valueMB = r.memory.maxAboveIdleMB;
    t.memoryAboveIdle.met = r.memory.maxAboveIdleMB <= t.memoryAboveIdle.limitMB;
    t.memorySpread.value = r.memory.spreadPeakRss;
    t.memorySpread.valueAboveIdle = r.memory.spreadAboveIdle;
    t.memorySpread.met = r.memory.spreadPeakRss <= t.memorySpread.limit;
  }
  if (r.throughput) {
    t.throughputRatio.value = r.throughput.ratioToGzip;
    t.throughputRatio.met = r.throughput.ratioToGzip >= t.throughputRatio.limit;
  }
  if (r.fleet) {
    t.steadyS3PerInstance.value = r.fleet.steady.s3RequestsPerInstance;
    t.steadyS3PerInstance.puts = r.fleet.steady.s3PutsAndPosts;
    t.steadyS3PerInstance.met = r.fleet.steady.s3RequestsPerInstance <= t.steadyS3PerInstance.limit && r.fleet.steady.s3PutsAndPosts === 0;
  }
  if (r.rotation) {
    const defaults = r.rotation.runs.filter((x) => x.activeRefreshMinutes === 0 && x.distinctBytesArchived > 0);
    const worst = [...defaults].sort((a, b) => b.amplification - a.amplification)[0];
    if (worst) {
      t.amplification.worst = worst.amplification;
      t.amplification.worstScheme = worst.scheme;
      t.amplification.met = worst.amplification <= t.amplification.limit;
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
