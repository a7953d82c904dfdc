/** The fan-out section's figures: markdown for docs/performance.md and plain text for the printed report. */
import type { FanOutResult } from "../sections/fan-out";
import { RDS_BUDGET } from "../sections/fan-out";

export type FanOutFigures = FanOutResult & { generatedAt: string; commit: string };

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? "---" : "---:"))), ...rows.map(line)].join("\n");
}

const ops = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(", ");

export function renderFanOut(f: FanOutFigures): string {
  const idle = f.idleTick;
  const b = f.backfill;
  const r = f.rdsBudget;
  return [
    "",
    `### Fan-out: ${f.fleet.instances} instances`,
    "",
    `Measured ${f.generatedAt.slice(0, 10)} at engine ${f.commit}: ${f.fleet.standalone} instances on their own and ${f.fleet.clusters} Aurora clusters of ` +
      `${f.fleet.membersPerCluster}, ${f.fleet.filesPerInstance} small files each, through the dispatcher, the FIFO fake and the event source mapping ` +
      `feeding the worker handler in-process, at worker concurrency ${f.fleet.workerConcurrency}. The fakes, the dispatcher and ${f.fleet.workerConcurrency} workers ` +
      `share one Node process, on ${f.loadAverage.cores} cores whose load average was ${f.loadAverage.start} at the start and ${f.loadAverage.end} at the end: ` +
      `the wall times say how this machine coped, the request counts are what a tick costs.`,
    "",
    table(
      ["tick", "wall s", "last batch sent at s", "queue empty at s", "files copied", "RDS req/instance", "S3 req/instance", "SQS req/instance"],
      [
        ["first backfill", f.firstBackfill.wallSeconds, f.firstBackfill.dispatchSeconds, f.firstBackfill.drainSeconds, f.firstBackfill.filesCopied, f.firstBackfill.perInstance.rds, f.firstBackfill.perInstance.s3, f.firstBackfill.perInstance.sqs],
        ["idle", idle.wallSeconds, idle.dispatchSeconds, idle.drainSeconds, idle.filesCopied, idle.perInstance.rds, idle.perInstance.s3, idle.perInstance.sqs],
      ],
    ),
    "",
    `The idle tick: RDS ${ops(idle.rds.byAction)}; S3 ${ops(idle.s3.byOperation)}; SQS ${idle.sqs.sendMessageBatch} SendMessageBatch, ` +
      `${idle.sqs.receives} receives and ${idle.sqs.deletes} deletes (the last two are the event source mapping's). A worker checks the bucket ` +
      `once per instance (HeadBucket), where the single function checks it once per run.`,
    "",
    `**Draining a first backfill** of ${b.gibPerInstance} GiB per instance, simulated: ${b.model} That is ${b.secondsPerInstance} s per ` +
      `instance on a worker (${b.invocationsPerInstance} invocation). For comparison, one worker invocation here copied ` +
      `${f.singleInstance.bytes / 2 ** 20} MiB at ${f.singleInstance.mbPerSecond} MB/s wall, ${f.singleInstance.cpuSecondsPerGiB} CPU-s per GiB with the fakes in the same process.`,
    "",
    table(
      ["", "hours to drain"],
      [...b.rows.map((x) => [`fan-out, worker concurrency ${x.concurrency}`, x.hours]), [`single sync function (${b.singleFunction.memoryMB} MB)`, b.singleFunction.hours]],
    ),
    "",
    `**RDS's API budget** (about ${RDS_BUDGET.sustainedPerSecond} requests a second sustained, ${RDS_BUDGET.burst} burst, per account and region): ` +
      `a tick makes ${r.requestsPerTick} requests (${r.clusterCalls} DescribeDBClusters, at most ${r.dispatcherClusterCallsPerSecondMax} a second; ` +
      `${r.listCalls} DescribeDBLogFiles), ${Math.round(r.burstShare * 100)}% of the burst, or ${r.tickSecondsAtSustainedRate} s of the sustained rate; ` +
      `over a ${r.intervalSeconds / 60}-minute schedule that averages ${r.averagePerSecondOverInterval} a second. The dispatcher spreads its batches ` +
      `at ${r.messagesPerSecond} messages a second (all of a larger fleet within 2 minutes), and idle workers make about one call per message: ` +
      `measured over the idle tick, ${r.measuredPerSecondDuringTick} requests a second, whatever the worker concurrency. Sent all at once, idle ` +
      `workers (about 0.2 s each in AWS) would reach ${r.unspreadPeakPerSecond.map((p) => `${p.perSecond}/s at concurrency ${p.concurrency}`).join(", ")}. ` +
      `Throttled calls back off with the engine's retry either way.`,
    "",
    `**Cost per month**, ${f.cost.assumptions.instances} instances × ${f.cost.assumptions.gibPerDayPerInstance} GiB a day ` +
      `(${Number(f.cost.assumptions.logGiBPerMonth).toLocaleString("en-US")} GiB), a tick every ${f.cost.assumptions.scheduleMinutes} minutes, ` +
      `us-east-1 prices, compression ratio ${f.cost.assumptions.compressionRatio}:`,
    "",
    table(
      ["", "Lambda $", "SQS $", "S3 requests $", "S3 storage $", "total $", "$ per GiB"],
      [
        ...f.cost.rows.map((x) => [`fan-out, workers of ${x.workerMemoryMB} MB`, x.lambdaDollars, x.sqsDollars, x.s3RequestDollars, x.s3StorageDollars, `**${x.totalDollars}**`, x.dollarsPerGiB]),
        ["CloudWatch Logs (ingest + storage)", "", "", "", "", `**${f.cost.cloudwatch.totalDollars}**`, f.cost.cloudwatch.dollarsPerGiB],
      ],
    ),
  ].join("\n");
}

export function reportFanOut(f: FanOutFigures): string {
  return renderFanOut(f).split("\n").map((l) => `  ${l}`).join("\n");
}
