/**
 * 5. Cost per month, and the gzip-level trade-off, from the measured figures and us-east-1 list prices.
 * Every assumption is a named field in the output, so the JSON shows how each dollar figure was reached.
 */
import { PART_SIZE } from "../../archiver/s3/upload-archive-object";
import type { FleetResult } from "./fleet";
import type { GzipLevelRow, MemoryResult, ThroughputResult } from "./memory";
import type { SchemeRun } from "./rotation";
import { GiB, MB } from "../lib/units";

/** us-east-1 list prices (Lambda x86, S3 Standard, CloudWatch Logs Standard class). */
export const PRICES = {
  lambdaGbSecond: 0.0000166667,
  lambdaRequest: 0.2 / 1e6,
  s3PutCopyPostList: 0.005 / 1000,
  s3GetHead: 0.0004 / 1000,
  s3StorageGbMonth: 0.023,
  cloudwatchIngestGb: 0.5,
  cloudwatchStorageGbMonth: 0.03,
};

export const LAMBDA = {
  memoryMB: 256,
  /** Lambda allocates CPU in proportion to memory: one full vCPU at 1,769 MB. */
  cpuShare: 256 / 1769,
  timeoutS: 900,
};

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export interface GzipLevelCost extends GzipLevelRow {
  /** CPU seconds of the whole sync per GiB at this level: gzip's share measured, the rest as measured at the default level. */
  syncCpuSecondsPerGiB: number;
  lambdaMBps: number;
  lambdaSecondsPerGiB: number;
  /** the largest file one 15-minute invocation can copy */
  maxFileGiBPerInvocation: number;
  computeDollarsPerGiB: number;
  storageDollarsPerGiBMonth: number;
  /** compute once + storage for `retentionMonths`, per GiB of log */
  dollarsPerGiBOverRetention: number;
}

export interface GzipRecommendation {
  retentionMonths: number;
  rows: GzipLevelCost[];
  cheapestLevel: number;
  recommendedLevel: number;
  reason: string;
}

export function gzipTradeoff(levels: GzipLevelRow[], t: ThroughputResult, retentionMonths = 12): GzipRecommendation {
  const gzipCpuPerGiB = (row: GzipLevelRow) => row.cpuSecondsPerGiB;
  const atDefault = levels.find((l) => l.level === t.gzipLevel);
  const overhead = atDefault ? Math.max(0, t.cpuSecondsPerGiB - gzipCpuPerGiB(atDefault)) : 0;
  const rows = levels.map((row): GzipLevelCost => {
    const cpu = gzipCpuPerGiB(row) + overhead;
    const lambdaSeconds = cpu / LAMBDA.cpuShare;
    const compute = lambdaSeconds * (LAMBDA.memoryMB / 1024) * PRICES.lambdaGbSecond;
    const storage = PRICES.s3StorageGbMonth / row.ratio;
    return {
      ...row,
      syncCpuSecondsPerGiB: round(cpu, 1),
      lambdaMBps: round(GiB / MB / lambdaSeconds, 1),
      lambdaSecondsPerGiB: Math.round(lambdaSeconds),
      maxFileGiBPerInvocation: round(LAMBDA.timeoutS / lambdaSeconds, 1),
      computeDollarsPerGiB: round(compute, 5),
      storageDollarsPerGiBMonth: round(storage, 5),
      dollarsPerGiBOverRetention: round(compute + storage * retentionMonths, 5),
    };
  });
  const cheapest = [...rows].sort((a, b) => a.dollarsPerGiBOverRetention - b.dollarsPerGiBOverRetention)[0];
  // Among levels within 10% of the cheapest, prefer the fastest: it copies the largest file in one invocation,
  // and a file that one invocation cannot copy is never archived.
  const nearCheapest = rows.filter((r) => r.dollarsPerGiBOverRetention <= cheapest.dollarsPerGiBOverRetention * 1.1);
  const recommended = [...nearCheapest].sort((a, b) => b.lambdaMBps - a.lambdaMBps)[0];
  return {
    retentionMonths,
    rows,
    cheapestLevel: cheapest.level,
    recommendedLevel: recommended.level,
    reason:
      `over ${retentionMonths} months of retention, level ${cheapest.level} costs least per GiB of log ($${cheapest.dollarsPerGiBOverRetention}); ` +
      `level ${recommended.level} is within 10% of it and copies ${recommended.lambdaMBps} MB/s at ${LAMBDA.memoryMB} MB ` +
      `(${recommended.maxFileGiBPerInvocation} GiB per ${LAMBDA.timeoutS / 60}-minute invocation)`,
  };
}

export interface CostResult {
  assumptions: Record<string, number | string>;
  lambda: { invocations: number; copySeconds: number; idleSeconds: number; gbSeconds: number; computeDollars: number; requestDollars: number; dollars: number; coldStartUpperBoundDollars: number };
  s3: { putClassRequests: number; getClassRequests: number; requestDollars: number; storedGBPerMonthOfLogs: number; storageDollarsPerMonthKept: number; storageDollarsAfter12Months: number };
  archiverDollarsFirstMonth: number;
  cloudwatch: { ingestDollars: number; storageDollarsPerMonthKept: number; dollarsFirstMonth: number; storageDollarsAfter12Months: number };
}

export function monthlyCost(opts: {
  instances: number;
  gibPerDayPerInstance: number;
  syncIntervalMin: number;
  memory: MemoryResult;
  throughput: ThroughputResult;
  fleet?: FleetResult;
  scheme?: SchemeRun;
  concurrency: number;
}): CostResult {
  const days = 30;
  const { instances, gibPerDayPerInstance: perDay } = opts;
  const invocations = Math.round((days * 24 * 60) / opts.syncIntervalMin);
  const logGiB = instances * perDay * days;
  const ratio = opts.throughput.compressionRatio;

  // Lambda: copying is CPU-bound, so duration = CPU seconds / the 256 MB CPU share.
  const startupCpu = opts.memory.idle.cpuSeconds;
  const copyCpuPerGiB = Math.max(0, opts.throughput.cpuSecondsPerGiB - startupCpu / (opts.throughput.fileBytes / GiB));
  const copySeconds = (logGiB * copyCpuPerGiB) / LAMBDA.cpuShare;
  // A warm invocation with nothing new: the per-instance CPU of the fleet's steady-state run, plus AWS API latency.
  const perInstanceCpu = opts.fleet
    ? Math.max(0, opts.fleet.steady.cpuSeconds - startupCpu) / opts.fleet.instances
    : 0.01;
  const apiLatencyS = 0.2; // assumed: one DescribeDBLogFiles + one state GET per instance in AWS, ~200 ms together
  const idleSecondsPerInvocation = (instances * perInstanceCpu) / LAMBDA.cpuShare + Math.ceil(instances / opts.concurrency) * apiLatencyS;
  const idleSeconds = invocations * idleSecondsPerInvocation;
  const gbSeconds = (copySeconds + idleSeconds) * (LAMBDA.memoryMB / 1024);
  const computeDollars = gbSeconds * PRICES.lambdaGbSecond;
  const requestDollars = invocations * PRICES.lambdaRequest;
  const coldStartUpperBoundDollars = invocations * (startupCpu / LAMBDA.cpuShare) * (LAMBDA.memoryMB / 1024) * PRICES.lambdaGbSecond;

  // S3 requests. Per invocation: one HeadBucket. Per instance and sync: what the simulated day observed at the
  // S3 endpoint (state GETs, state writes, object PUTs), minus its HeadBucket. Objects over one part go multipart.
  const s = opts.scheme;
  const syncsPerInstance = invocations;
  let putPerSync = 0.1;
  let getPerSync = 1;
  let filesPerDay = 24;
  if (s) {
    putPerSync = s.s3.priceClass.put / s.syncs;
    getPerSync = (s.s3.priceClass.get - (s.s3.byOperation.HeadBucket ?? 0)) / s.syncs;
    filesPerDay = (s.filesCopied / s.syncs) * (24 * 60) / opts.syncIntervalMin;
  }
  const objectBytes = (perDay * GiB) / filesPerDay / ratio;
  const parts = Math.ceil(objectBytes / PART_SIZE);
  // multipart: CreateMultipartUpload + parts + CompleteMultipartUpload + CopyObject (metadata) instead of one PutObject
  const extraPutsPerObject = parts > 1 ? parts + 2 : 0;
  const putClass = instances * (syncsPerInstance * putPerSync + days * filesPerDay * extraPutsPerObject);
  const getClass = invocations + instances * syncsPerInstance * getPerSync;
  const s3RequestDollars = putClass * PRICES.s3PutCopyPostList + getClass * PRICES.s3GetHead;
  const storedGB = logGiB / ratio;
  const storageMonth = storedGB * PRICES.s3StorageGbMonth;
  // after 12 months of retention: 12 months of logs stored
  const storage12 = 12 * storageMonth;

  const cwIngest = logGiB * PRICES.cloudwatchIngestGb;
  // CloudWatch bills archived storage on compressed size; the same ratio is assumed (favourable to CloudWatch).
  const cwStorageMonth = (logGiB / ratio) * PRICES.cloudwatchStorageGbMonth;

  const lambdaDollars = computeDollars + requestDollars;
  return {
    assumptions: {
      instances,
      gibPerDayPerInstance: perDay,
      daysPerMonth: days,
      syncIntervalMinutes: opts.syncIntervalMin,
      lambdaMemoryMB: LAMBDA.memoryMB,
      lambdaCpuShare: round(LAMBDA.cpuShare, 4),
      compressionRatio: ratio,
      copyCpuSecondsPerGiB: round(copyCpuPerGiB, 2),
      idleSecondsPerInvocation: round(idleSecondsPerInvocation, 3),
      assumedApiLatencySecondsPerInstance: apiLatencyS,
      filesPerInstancePerDay: round(filesPerDay, 1),
      objectMBCompressed: round(objectBytes / 1e6, 2),
      partsPerObject: parts,
      s3PutClassPerInstanceSync: round(putPerSync, 4),
      s3GetClassPerInstanceSync: round(getPerSync, 4),
      requestPatternFrom: s ? `simulated day, ${s.scheme}` : "default",
    },
    lambda: {
      invocations,
      copySeconds: Math.round(copySeconds),
      idleSeconds: Math.round(idleSeconds),
      gbSeconds: Math.round(gbSeconds),
      computeDollars: round(computeDollars, 3),
      requestDollars: round(requestDollars, 4),
      dollars: round(lambdaDollars, 3),
      coldStartUpperBoundDollars: round(coldStartUpperBoundDollars, 3),
    },
    s3: {
      putClassRequests: Math.round(putClass),
      getClassRequests: Math.round(getClass),
      requestDollars: round(s3RequestDollars, 3),
      storedGBPerMonthOfLogs: round(storedGB, 1),
      storageDollarsPerMonthKept: round(storageMonth, 3),
      storageDollarsAfter12Months: round(storage12, 2),
    },
    archiverDollarsFirstMonth: round(lambdaDollars + s3RequestDollars + storageMonth, 2),
    cloudwatch: {
      ingestDollars: round(cwIngest, 2),
      storageDollarsPerMonthKept: round(cwStorageMonth, 2),
      dollarsFirstMonth: round(cwIngest + cwStorageMonth, 2),
      storageDollarsAfter12Months: round(12 * cwStorageMonth, 2),
    },
  };
}
