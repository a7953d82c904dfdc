/**
 * 6. Fan-out: a fleet of 500 instances (450 on their own, 10 Aurora clusters of 5) through the dispatcher, the FIFO
 * fake (over HTTP) and the event source mapping feeding the worker handler, in-process, against the fakes.
 *   - a first backfill of the fleet's small files (measured), then one idle tick: its wall time and the RDS, S3 and
 *     SQS requests per instance (measured at the fakes);
 *   - one instance's copy of a 64 MiB file (measured), from which the time to drain a first backfill of
 *     5 GiB per instance at worker concurrency 1, 10 and 50 is modeled (simulated, not run: see `model`);
 *   - the RDS API requests of one tick against RDS's budget (about 12 a second sustained, 300 burst);
 *   - cost per month of 500 instances x 5 GiB a day, against CloudWatch Logs (prices of sections/cost.ts).
 */
import * as os from "node:os";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { createDispatchHandler, CLUSTER_CALL_SPACING_MS } from "../../archiver/lambda/dispatch-handler";
import { createWorkerHandler } from "../../archiver/lambda/worker-handler";
import { dispatchSettingsToEnv, settingsToEnv, DEFAULTS } from "../../archiver/settings";
import { DEADLINE_MARGIN_MS } from "../../archiver/sync/stop";
import { MESSAGES_PER_SECOND } from "../../archiver/fan-out/dispatch";
import { EventSourceMapping, type DrainStats } from "../../local-aws/event-source-mapping";
import { FakeSqs } from "../../local-aws/fake-sqs";
import { SeededRandom } from "../../local-aws/seeded-random";
import { bigLogContent, postgresLine } from "../lib/content";
import { startFakes, tallyRds, tallyS3, type RdsTally, type S3Tally } from "../lib/fakes";
import { GiB, MB, MiB } from "../lib/units";
import { PRICES } from "./cost";

const HOUR = 3_600_000;
const BUCKET = "bench-fan-out";
/** RDS's API budget per account and region (docs/architecture.md): sustained rate and burst. */
export const RDS_BUDGET = { sustainedPerSecond: 12, burst: 300 };
/** us-east-1: SQS FIFO requests, per request of up to 64 KiB. */
export const SQS_FIFO_REQUEST = 0.5 / 1e6;
/** One vCPU per 1,769 MB of Lambda memory. */
const MB_PER_VCPU = 1769;
/** Assumed AWS latency of one idle instance's calls (one DescribeDBLogFiles, one HeadBucket, one state GET). */
const API_LATENCY_S = 0.2;
/** Lambda's SQS pollers long-poll an empty queue: about 5 pollers, one ReceiveMessage per 20 s each. */
const EMPTY_POLLS_PER_MONTH = 5 * 3 * 60 * 24 * 30;

export interface FanOutOptions {
  instances: number;
  clusters: number;
  membersPerCluster: number;
  filesPerInstance: number;
  workerConcurrency: number;
  sampleBytes: number;
  backfillGiBPerInstance: number;
  scheduleMinutes: number;
  gibPerDayPerInstance: number;
  workerMemoryMB: number[];
  workerTimeoutS: number;
  /**
   * The sync's CPU per GiB from the throughput section (the CLI alone in its process, 1 GiB), when it ran: the
   * backfill and cost models use it. Without it, this section's own sample (with the in-process fakes' CPU) is used.
   */
  throughput?: { cpuSecondsPerGiB: number; compressionRatio: number; fileBytes: number };
}

export interface TickMeasure {
  wallSeconds: number;
  /** Until the dispatcher's last batch was sent. */
  dispatchSeconds: number;
  /** Until the queue was empty (the workers start with the first batch). */
  drainSeconds: number;
  rds: RdsTally;
  s3: S3Tally;
  sqs: { sendMessageBatch: number; receives: number; deletes: number };
  perInstance: { rds: number; s3: number; sqs: number };
  workerInvocations: number;
  peakConcurrency: number;
  filesCopied: number;
}

export interface FanOutResult {
  /** The 1-minute load average when the section started and ended: every process in one Node process shares it. */
  loadAverage: { start: number; end: number; cores: number };
  fleet: { instances: number; standalone: number; clusters: number; membersPerCluster: number; filesPerInstance: number; workerConcurrency: number };
  firstBackfill: TickMeasure;
  idleTick: TickMeasure;
  singleInstance: { bytes: number; seconds: number; mbPerSecond: number; cpuSecondsPerGiB: number; compressionRatio: number };
  backfill: {
    model: string;
    gibPerInstance: number;
    workerMemoryMB: number;
    secondsPerInstance: number;
    invocationsPerInstance: number;
    rows: { concurrency: number; hours: number }[];
    singleFunction: { memoryMB: number; hours: number };
  };
  rdsBudget: {
    requestsPerTick: number;
    clusterCalls: number;
    listCalls: number;
    tickSecondsAtSustainedRate: number;
    burstShare: number;
    averagePerSecondOverInterval: number;
    intervalSeconds: number;
    dispatcherClusterCallsPerSecondMax: number;
    /** RDS requests a second over the idle tick as measured (the dispatcher's spread sets the pace). */
    measuredPerSecondDuringTick: number;
    messagesPerSecond: number;
    /** Without the spread: idle workers (about 0.2 s each in AWS) at concurrency c. */
    unspreadPeakPerSecond: { concurrency: number; perSecond: number }[];
  };
  cost: {
    assumptions: Record<string, number | string>;
    rows: { workerMemoryMB: number; lambdaDollars: number; sqsDollars: number; s3RequestDollars: number; s3StorageDollars: number; totalDollars: number; dollarsPerGiB: number }[];
    cloudwatch: { ingestDollars: number; storageDollars: number; totalDollars: number; dollarsPerGiB: number };
  };
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function fanOut(o: FanOutOptions, log: (s: string) => void): Promise<FanOutResult> {
  const loadAtStart = os.loadavg()[0];
  const fakes = await startFakes([BUCKET]);
  const sqs = await FakeSqs.start(fakes.rds.region);
  const quiet = console.log;
  console.log = () => undefined; // the handlers' JSON lines
  try {
    const standalone = o.instances - o.clusters * o.membersPerCluster;
    const rng = new SeededRandom(1201);
    const now = Date.now();
    const instances = Array.from({ length: standalone }, (_, i) => `db-${i}`);
    const clusters = Array.from({ length: o.clusters }, (_, c) => `aurora-${c}`);
    for (const id of instances) addFiles(fakes.rds, id, o.filesPerInstance, now, rng);
    for (const c of clusters) {
      const members = Array.from({ length: o.membersPerCluster }, (_, m) => `${c}-${m}`);
      for (const id of members) addFiles(fakes.rds, id, o.filesPerInstance, now, rng);
      fakes.rds.setCluster(c, members);
    }
    const { url, queue } = sqs.createQueue({ name: "bench-work.fifo", visibilityTimeoutMs: 6 * o.workerTimeoutS * 1000 });
    const base = {
      AWS_REGION: fakes.rds.region, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_ENDPOINT_URL_RDS: fakes.rds.endpoint, AWS_ENDPOINT_URL_S3: fakes.s3.endpoint, AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED", AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
      AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    };
    const settings = {
      bucket: BUCKET, instances, clusters, include: [], concurrency: DEFAULTS.concurrency, activeRefreshMinutes: 0,
      connectTimeoutSeconds: DEFAULTS.connectTimeoutSeconds, readTimeoutSeconds: DEFAULTS.readTimeoutSeconds,
    };
    const sdk = loadAwsSdk();
    const dispatch = createDispatchHandler(sdk, { ...base, ...dispatchSettingsToEnv({ instances, clusters, queueUrl: url }) });
    const worker = createWorkerHandler(sdk, { ...base, ...settingsToEnv(settings) });
    const mapping = new EventSourceMapping(queue, (event) => {
      const deadline = Date.now() + o.workerTimeoutS * 1000;
      return worker(event as never, { getRemainingTimeInMillis: () => deadline - Date.now() });
    }, { batchSize: 1, maximumConcurrency: o.workerConcurrency, queueArn: "arn:aws:sqs:us-east-1:123456789012:bench-work.fifo" });

    const tick = async (time: string): Promise<TickMeasure> => {
      fakes.rds.requests.length = 0;
      fakes.s3.requests.length = 0;
      sqs.requests.length = 0;
      const t0 = performance.now();
      // The workers drain while the dispatcher still spreads its batches over the tick.
      let t1 = 0;
      const dispatched = dispatch({ time }).then(() => void (t1 = performance.now()));
      const stats: DrainStats = { invocations: 0, failedInvocations: 0, reportedFailures: 0, deleted: 0, visibilityWaits: 0, peakConcurrency: 0 };
      while (t1 === 0 || queue.size > 0) {
        const round = await mapping.drain();
        for (const k of Object.keys(stats) as (keyof DrainStats)[]) stats[k] = k === "peakConcurrency" ? Math.max(stats[k], round[k]) : stats[k] + round[k];
        if (t1 === 0) await Promise.race([dispatched, new Promise((resolve) => setTimeout(resolve, 50))]);
      }
      await dispatched;
      const t2 = performance.now();
      const rds = tallyRds(fakes.rds.requests);
      const s3 = tallyS3(fakes.s3.requests);
      const sqsCalls = { sendMessageBatch: sqs.requests.length, receives: stats.invocations, deletes: stats.deleted };
      const n = o.instances;
      return {
        wallSeconds: round((t2 - t0) / 1000), dispatchSeconds: round((t1 - t0) / 1000), drainSeconds: round((t2 - t0) / 1000),
        rds, s3, sqs: sqsCalls,
        perInstance: {
          rds: round(rds.total / n, 3), s3: round(s3.total / n, 3),
          sqs: round((sqsCalls.sendMessageBatch + sqsCalls.receives + sqsCalls.deletes) / n, 3),
        },
        workerInvocations: stats.invocations, peakConcurrency: stats.peakConcurrency,
        filesCopied: fakes.s3.requests.filter((r) => r.method === "PUT" && !r.path.includes("/_state/")).length,
      };
    };
    log(`   first backfill of ${o.instances} instances x ${o.filesPerInstance} files at worker concurrency ${o.workerConcurrency}`);
    const firstBackfill = await tick("2024-10-01T00:00:00Z");
    log(`   idle tick`);
    const idleTick = await tick("2024-10-01T00:05:00Z");

    log(`   one instance's copy of ${o.sampleBytes / MiB} MiB`);
    const singleInstance = await copyOne(fakes, worker, o.sampleBytes, now);
    const copyRate = o.throughput
      ? { cpuSecondsPerGiB: o.throughput.cpuSecondsPerGiB, compressionRatio: o.throughput.compressionRatio, source: `the throughput section (the CLI alone, ${o.throughput.fileBytes / GiB} GiB)` }
      : { ...singleInstance, source: "this section's sample (the fakes' CPU included)" };
    const backfill = backfillModel(o, copyRate, idleTick);
    const rdsBudget = budget(o, idleTick);
    const cost = monthlyFanOutCost(o, idleTick, copyRate);
    return {
      loadAverage: { start: round(loadAtStart), end: round(os.loadavg()[0]), cores: os.cpus().length },
      fleet: { instances: o.instances, standalone, clusters: o.clusters, membersPerCluster: o.membersPerCluster, filesPerInstance: o.filesPerInstance, workerConcurrency: o.workerConcurrency },
      firstBackfill, idleTick, singleInstance, backfill, rdsBudget, cost,
    };
  } finally {
    console.log = quiet;
    await sqs.stop();
    await fakes.stop();
  }
}

function addFiles(rds: import("../lib/fakes").FakeRds, id: string, files: number, now: number, rng: SeededRandom): void {
  rds.addInstance(id);
  for (let f = 0; f < files; f++) {
    const hourEnd = now - (files - f) * HOUR;
    let text = "";
    for (let i = 0; i < 20; i++) text += postgresLine(rng, hourEnd - HOUR + i * 1000);
    const stamp = new Date(hourEnd - HOUR).toISOString().slice(0, 13).replace("T", "-");
    rds.putFile(id, { name: `error/postgresql.log.${stamp}`, lastWritten: hourEnd, content: Buffer.from(text) });
  }
}

async function copyOne(
  fakes: Awaited<ReturnType<typeof startFakes>>,
  worker: ReturnType<typeof createWorkerHandler>,
  bytes: number,
  now: number,
): Promise<FanOutResult["singleInstance"]> {
  const id = "db-0";
  // Older than the instance's other files: a closed file, which the planner copies (the newest one is still active).
  const stamp = new Date(now - 10 * HOUR).toISOString().slice(0, 13).replace("T", "-");
  const name = `error/postgresql.log.${stamp}`;
  fakes.rds.putFile(id, { name, lastWritten: now - 9 * HOUR, content: bigLogContent(bytes) });
  fakes.s3.requests.length = 0;
  const body = JSON.stringify({ v: 1, instance: id, group: id, tick: "2024-10-01T00:10:00Z" });
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await worker({ Records: [{ messageId: "sample", body, attributes: { MessageGroupId: id } }] }, { getRemainingTimeInMillis: () => 900_000 });
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  const stored = await fakes.s3.listAll(BUCKET, { prefix: `${id}/` });
  const big = stored.find((s) => s.key.endsWith(`${name.split("/")[1]}.gz`));
  if (!big) throw new Error(`the sample file ${name} was not archived: ${stored.map((s) => s.key).join(", ")}`);
  // The fakes run in this process too: their share of the CPU is counted here, which makes the figure pessimistic.
  const cpuSeconds = (used.user + used.system) / 1e6;
  return {
    bytes,
    seconds: round(seconds),
    mbPerSecond: round(bytes / MB / seconds, 1),
    cpuSecondsPerGiB: round((cpuSeconds * GiB) / bytes),
    compressionRatio: round(bytes / big.size),
  };
}

/** vCPUs a Lambda of `memoryMB` gives one single-threaded copy. */
const vcpu = (memoryMB: number) => Math.min(1, memoryMB / MB_PER_VCPU);

type CopyRate = { cpuSecondsPerGiB: number; compressionRatio: number; source: string };

function backfillModel(o: FanOutOptions, one: CopyRate, idle: TickMeasure): FanOutResult["backfill"] {
  const memory = MB_PER_VCPU;
  const cpuSeconds = o.backfillGiBPerInstance * one.cpuSecondsPerGiB;
  const perInstance = cpuSeconds / vcpu(memory) + API_LATENCY_S + idle.drainSeconds / Math.max(1, idle.workerInvocations);
  // An instance's backfill may need several invocations (each keeps DEADLINE_MARGIN_MS back); they follow one another.
  const usable = o.workerTimeoutS - DEADLINE_MARGIN_MS / 1000;
  const invocations = Math.ceil(perInstance / usable);
  const rows = [1, 10, 50].map((c) => ({ concurrency: c, hours: round((Math.ceil(o.instances / c) * perInstance) / 3600, 1) }));
  const single = 256;
  return {
    model:
      `per instance ${o.backfillGiBPerInstance} GiB at ${one.cpuSecondsPerGiB} CPU-s per GiB, measured by ${one.source}, single-threaded gzip, on ` +
      `${memory} MB workers (1 vCPU); c workers drain ${o.instances} equal instances in ceil(${o.instances}/c) rounds. The single ` +
      `sync function (${single} MB, ${round(vcpu(single), 3)} vCPU, one run at a time) copies the same bytes back to back.`,
    gibPerInstance: o.backfillGiBPerInstance,
    workerMemoryMB: memory,
    secondsPerInstance: round(perInstance, 1),
    invocationsPerInstance: invocations,
    rows,
    singleFunction: { memoryMB: single, hours: round((o.instances * cpuSeconds) / vcpu(single) / 3600, 1) },
  };
}

function budget(o: FanOutOptions, idle: TickMeasure): FanOutResult["rdsBudget"] {
  const clusterCalls = idle.rds.byAction.DescribeDBClusters ?? 0;
  const listCalls = idle.rds.byAction.DescribeDBLogFiles ?? 0;
  const requests = clusterCalls + listCalls;
  const interval = o.scheduleMinutes * 60;
  // An idle worker's invocation lasts at least the API latency, and makes its listing call in it.
  const perWorkerSecond = (listCalls / o.instances) / API_LATENCY_S;
  return {
    requestsPerTick: requests,
    clusterCalls,
    listCalls,
    tickSecondsAtSustainedRate: round(requests / RDS_BUDGET.sustainedPerSecond, 1),
    burstShare: round(requests / RDS_BUDGET.burst, 2),
    averagePerSecondOverInterval: round(requests / interval, 2),
    intervalSeconds: interval,
    dispatcherClusterCallsPerSecondMax: round(1000 / CLUSTER_CALL_SPACING_MS, 1),
    measuredPerSecondDuringTick: round(requests / idle.wallSeconds, 1),
    messagesPerSecond: MESSAGES_PER_SECOND,
    unspreadPeakPerSecond: [1, 10, 50].map((c) => ({ concurrency: c, perSecond: round(c * perWorkerSecond, 1) })),
  };
}

function monthlyFanOutCost(o: FanOutOptions, idle: TickMeasure, one: CopyRate): FanOutResult["cost"] {
  const days = 30;
  const ticks = (days * 24 * 60) / o.scheduleMinutes;
  const logGiB = o.instances * o.gibPerDayPerInstance * days;
  const ratio = one.compressionRatio || 7;
  const storedGB = logGiB / ratio;
  // Hourly files: 24 per instance and day; objects under one part are one PUT, larger ones multipart.
  const files = o.instances * 24 * days;
  const s3PerTick = idle.s3.total;
  const s3Requests = ticks * s3PerTick + files * 4;
  const s3RequestDollars = ticks * (idle.s3.priceClass.get * PRICES.s3GetHead + idle.s3.priceClass.put * PRICES.s3PutCopyPostList) + files * 4 * PRICES.s3PutCopyPostList;
  const sqsRequests = ticks * (idle.sqs.sendMessageBatch + idle.sqs.receives + idle.sqs.deletes) + EMPTY_POLLS_PER_MONTH;
  const sqsDollars = sqsRequests * SQS_FIFO_REQUEST;
  const storage = storedGB * PRICES.s3StorageGbMonth;
  const rows = o.workerMemoryMB.map((memory) => {
    const gb = memory / 1024;
    const copySeconds = (logGiB * one.cpuSecondsPerGiB) / vcpu(memory);
    const idleSeconds = ticks * o.instances * API_LATENCY_S;
    const dispatcherSeconds = ticks * 1;
    const lambdaDollars =
      (copySeconds + idleSeconds) * gb * PRICES.lambdaGbSecond + dispatcherSeconds * 0.25 * PRICES.lambdaGbSecond + ticks * (o.instances + 1) * PRICES.lambdaRequest;
    const total = lambdaDollars + sqsDollars + s3RequestDollars + storage;
    return {
      workerMemoryMB: memory, lambdaDollars: round(lambdaDollars), sqsDollars: round(sqsDollars), s3RequestDollars: round(s3RequestDollars),
      s3StorageDollars: round(storage), totalDollars: round(total), dollarsPerGiB: round(total / logGiB, 4),
    };
  });
  const ingest = logGiB * PRICES.cloudwatchIngestGb;
  const cwStorage = (logGiB / ratio) * PRICES.cloudwatchStorageGbMonth;
  return {
    assumptions: {
      instances: o.instances, gibPerDayPerInstance: o.gibPerDayPerInstance, daysPerMonth: days, scheduleMinutes: o.scheduleMinutes,
      logGiBPerMonth: logGiB, compressionRatio: ratio, copyCpuSecondsPerGiB: one.cpuSecondsPerGiB, assumedApiLatencySecondsPerIdleInstance: API_LATENCY_S,
      s3RequestsPerTickMeasured: s3PerTick, s3RequestsPerMonth: Math.round(s3Requests), sqsRequestsPerMonth: Math.round(sqsRequests),
      sqsFifoDollarsPerMillion: SQS_FIFO_REQUEST * 1e6, storage: "one month of logs in S3 Standard", copyRateFrom: one.source,
    },
    rows,
    cloudwatch: { ingestDollars: round(ingest), storageDollars: round(cwStorage), totalDollars: round(ingest + cwStorage), dollarsPerGiB: round((ingest + cwStorage) / logGiB, 4) },
  };
}
