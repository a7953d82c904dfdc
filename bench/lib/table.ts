/** The printed report: the same figures as the JSON, as plain-text tables. */
import type { BenchResult } from "./result";
import { GiB, MiB } from "./units";
import { PRICES } from "../sections/cost";
import { reportFanOut } from "./fan-out-doc";

function table(header: string[], rows: (string | number)[][], indent = "  "): string {
  const cells = [header, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => indent + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  return [line(cells[0]), indent + widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

const verdict = (met: boolean | undefined) => (met === undefined ? "n/a" : met ? "MET" : "MISSED");
const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const num = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? "n/a" : x);
const usd = (x: number) => `$${x < 1 ? x.toFixed(3) : x.toFixed(2)}`;

export function formatReport(r: BenchResult): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(`rds-log-archiver bench${r.quick ? " (BENCH_QUICK: reduced sizes)" : ""}, ${r.generatedAt}, ${r.durationSeconds} s`);
  out.push(`machine: ${m.cores} cores, ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; peak RSS by ${m.peakRssTool}`);
  out.push(`load: ${m.sharedNote} (load average ${m.loadAverageAtStart.join("/")} at start, ${m.loadAverageAtEnd.join("/")} at end)`);
  out.push(`engine: ${r.engine.commit}${r.engine.archiverDirty ? " + uncommitted archiver/ changes" : ""}, gzip level ${r.engine.defaultGzipLevel}, concurrency ${r.engine.defaultConcurrency}`);
  out.push("MB = 10^6 bytes; MiB/GiB = 2^20/2^30 bytes.");

  if (r.memory) {
    const mem = r.memory;
    out.push("", "1. Memory: peak RSS of the sync process (the CLI in a child process), one generated log file each");
    out.push(
      table(
        ["run", "peak RSS MB", "above idle MB", "sync s", "MB/s", "CPU s", "gzip ratio"],
        [
          [`idle (median of ${mem.idle.runs})`, mem.idle.medianPeakRssMB, "", "", "", mem.idle.cpuSeconds, ""],
          ...mem.sizes.map((s) => [s.label, s.peakRssMB, s.aboveIdleMB, s.syncSeconds, s.mbPerSecond, s.cpuSeconds, s.compressionRatio]),
        ],
      ),
    );
    out.push(`  spread across sizes: peak RSS ${pct(mem.spreadPeakRss)}, above idle ${pct(mem.spreadAboveIdle)}`);
    out.push(`  target <= 150 MB above idle: ${verdict(r.targets.memoryAboveIdle.met)} (max ${mem.maxAboveIdleMB} MB); within 10% across sizes: ${verdict(r.targets.memorySpread.met)}`);
  }
  if (r.throughput) {
    const t = r.throughput;
    out.push("", `2. Throughput: ${t.fileBytes / GiB >= 1 ? `${t.fileBytes / GiB} GiB` : `${t.fileBytes / MiB} MiB`} end to end (RDS download -> gzip ${t.gzipLevel} -> multipart upload)`);
    out.push(
      table(
        ["measure", "value"],
        [
          ["end to end, MB/s of log", t.endToEndMBps],
          [`gzip level ${t.gzipLevel} alone, in-process, MB/s`, t.gzipAloneMBps],
          ["ratio (target >= 0.8)", `${t.ratioToGzip}  ${verdict(r.targets.throughputRatio.met)}`],
          ["sync process CPU s per GiB", t.cpuSecondsPerGiB],
          ["gzip alone CPU s per GiB", t.gzipAloneCpuSecondsPerGiB],
          ["gzip's share of the sync's CPU", pct(t.gzipShareOfSyncCpu)],
          ["sync process CPU utilisation (cores)", t.syncCpuUtilisation],
          ["fake RDS + s3rver CPU s during the copy", t.fakesCpuSeconds],
          ["compression ratio", t.compressionRatio],
        ],
      ),
    );
  }
  if (r.gzipLevels) {
    out.push("", "2b. gzip levels, in-process zlib on the same generated logs; projected to a 256 MB Lambda (~0.145 vCPU)");
    const rec = r.gzipRecommendation;
    const rows = rec
      ? rec.rows.map((g) => [g.level, g.ratio, g.MBps, g.cpuSecondsPerGiB, g.syncCpuSecondsPerGiB, g.lambdaMBps, g.maxFileGiBPerInvocation, g.computeDollarsPerGiB.toFixed(5), g.storageDollarsPerGiBMonth.toFixed(5), g.dollarsPerGiBOverRetention.toFixed(5)])
      : r.gzipLevels.map((g) => [g.level, g.ratio, g.MBps, g.cpuSecondsPerGiB, "", "", "", "", "", ""]);
    out.push(
      table(
        ["level", "ratio", "MB/s", "gzip CPU s/GiB", "sync CPU s/GiB", "Lambda MB/s", "GiB per 15 min", "$ compute/GiB", "$ S3/GiB-month", `$/GiB, ${rec?.retentionMonths ?? 12} mo`],
        rows,
      ),
    );
    if (rec) out.push(`  recommended level ${rec.recommendedLevel} (engine default ${r.engine.defaultGzipLevel}): ${rec.reason}`);
  }
  if (r.fleet) {
    const f = r.fleet;
    out.push("", `3. Fleet: ${f.instances} instances x ${f.filesPerInstance} log files (the CLI)`);
    out.push("  first full copy, a fresh bucket each:");
    out.push(
      table(
        ["concurrency", "files", "sync s", "files/s", "speed-up", "sync CPU s", "fakes CPU s", "peak RSS MB", "RDS req/inst", "S3 req/inst"],
        f.firstCopy.map((c) => [c.concurrency, c.filesCopied, c.syncSeconds, c.filesPerSecond, `${c.speedupVsConcurrency1}x`, c.cpuSeconds, c.fakesCpuSeconds, c.peakRssMB, c.rdsRequestsPerInstance, c.s3RequestsPerInstance]),
        "    ",
      ),
    );
    const s = f.steady;
    out.push(`  steady state (nothing new, concurrency ${s.concurrency}): ${s.syncSeconds} s sync, ${s.wallSeconds} s process wall, ${s.copied} copied`);
    out.push(`    RDS requests per instance ${s.rdsRequestsPerInstance} (${Object.entries(s.rds.byAction).map(([k, v]) => `${k} ${v}`).join(", ")})`);
    out.push(`    S3 requests per instance ${s.s3RequestsPerInstance} (${Object.entries(s.s3.byOperation).map(([k, v]) => `${k} ${v}`).join(", ")}), PUT/POST ${s.s3PutsAndPosts}`);
    out.push(`    target <= 2 S3 requests per instance and 0 PUTs: ${verdict(r.targets.steadyS3PerInstance.met)}`);
  }
  if (r.rotation) {
    const rot = r.rotation;
    out.push("", `4. Bytes moved and freshness: ${rot.hours} h of writes (+${rot.tailHours} h tail), a sync every ${rot.syncEveryMinutes} virtual minutes (in-process runSync)`);
    out.push(
      table(
        ["scheme", "refresh min", "log MB/day", "downloaded MB", "archived MB", "amplification", "lag median min", "p95", "max", "copies", "pending lines"],
        rot.runs.map((x) => [
          x.scheme, x.activeRefreshMinutes, (x.logBytesWritten / 1e6).toFixed(1), (x.bytesDownloaded / 1e6).toFixed(1), (x.distinctBytesArchived / 1e6).toFixed(1),
          num(x.amplification), num(x.lagMinutes.median), num(x.lagMinutes.p95), num(x.lagMinutes.max), x.filesCopied, x.pendingLines,
        ]),
      ),
    );
    const a = r.targets.amplification;
    out.push(`  target amplification <= 1.2 with the default policy: ${verdict(a.met)} (worst ${a.worst ?? "n/a"}, ${a.worstScheme ?? ""})`);
  }
  if (r.cost) {
    const c = r.cost;
    const as = c.assumptions;
    out.push("", `5. Cost per month: ${as.instances} instances x ${as.gibPerDayPerInstance} GB/day, us-east-1, a sync every ${as.syncIntervalMinutes} min, Lambda ${as.lambdaMemoryMB} MB`);
    out.push(
      table(
        ["item", "quantity", "$/month"],
        [
          ["Lambda compute (copy + idle runs)", `${c.lambda.gbSeconds} GB-s (${c.lambda.copySeconds} s copying, ${c.lambda.idleSeconds} s idle)`, usd(c.lambda.computeDollars)],
          ["Lambda requests", `${c.lambda.invocations} invocations`, usd(c.lambda.requestDollars)],
          ["S3 PUT/COPY/POST/LIST", `${c.s3.putClassRequests}`, usd(c.s3.putClassRequests * PRICES.s3PutCopyPostList)],
          ["S3 GET/HEAD", `${c.s3.getClassRequests}`, usd(c.s3.getClassRequests * PRICES.s3GetHead)],
          ["S3 storage, per month of logs kept", `${c.s3.storedGBPerMonthOfLogs} GB at ratio ${as.compressionRatio}`, usd(c.s3.storageDollarsPerMonthKept)],
          ["archiver total, first month", "", usd(c.archiverDollarsFirstMonth)],
          ["CloudWatch Logs ingestion", `${Number(as.instances) * Number(as.gibPerDayPerInstance) * Number(as.daysPerMonth)} GB`, usd(c.cloudwatch.ingestDollars)],
          ["CloudWatch Logs storage, per month kept", "same compressed size", usd(c.cloudwatch.storageDollarsPerMonthKept)],
          ["CloudWatch total, first month", "", usd(c.cloudwatch.dollarsFirstMonth)],
        ],
      ),
    );
    out.push(`  after 12 months of retention, storage alone: S3 ${usd(c.s3.storageDollarsAfter12Months)}/month, CloudWatch ${usd(c.cloudwatch.storageDollarsAfter12Months)}/month`);
    out.push(`  if every invocation were a cold start (init billed): + ${usd(c.lambda.coldStartUpperBoundDollars)}/month`);
  }
  out.push("", "targets:");
  const t = r.targets;
  out.push(
    table(
      ["target", "limit", "measured", "verdict"],
      [
        ["peak RSS above idle", `<= ${t.memoryAboveIdle.limitMB} MB`, t.memoryAboveIdle.valueMB ?? "-", verdict(t.memoryAboveIdle.met)],
        ["peak RSS spread across sizes", `<= ${pct(t.memorySpread.limit)}`, t.memorySpread.value !== undefined ? pct(t.memorySpread.value) : "-", verdict(t.memorySpread.met)],
        ["throughput / gzip alone", `>= ${t.throughputRatio.limit}`, t.throughputRatio.value ?? "-", verdict(t.throughputRatio.met)],
        ["steady S3 requests per instance, PUTs", `<= ${t.steadyS3PerInstance.limit}, 0`, t.steadyS3PerInstance.value !== undefined ? `${t.steadyS3PerInstance.value}, ${t.steadyS3PerInstance.puts}` : "-", verdict(t.steadyS3PerInstance.met)],
        ["amplification, default policy", `<= ${t.amplification.limit}`, t.amplification.worst ?? "-", verdict(t.amplification.met)],
      ],
    ),
  );
  if (r.fanOut) out.push("", "6. Fan-out", reportFanOut(r.fanOut));
  return out.join("\n");
}
