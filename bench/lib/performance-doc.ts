/**
 * docs/performance.md's figures, rendered from one bench result. The figures sit between two markers in the
 * document, and only that part is ever rewritten, so the prose around it is kept and the numbers cannot drift
 * from bench/results/latest.json.
 */
import type { BenchResult } from "./result";
import { PRICES } from "../sections/cost";
import { GiB, MiB } from "./units";
import { renderFanOut } from "./fan-out-doc";

export const PERFORMANCE_DOC = "docs/performance.md";
export const FIGURES_BEGIN = "<!-- figures: generated from bench/results/latest.json by `npm run bench` (or `npm run bench:docs`); do not edit -->";
export const FIGURES_END = "<!-- end of figures -->";

function table(header: string[], align: ("l" | "r")[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(align.map((a) => (a === "r" ? "---:" : "---"))), ...rows.map(line)].join("\n");
}

const verdict = (met: boolean | undefined) => (met === undefined ? "not measured" : met ? "met" : "**missed**");
const percent = (x: number) => `${Math.round(x * 1000) / 10}%`;
const fixed = (x: number, digits: number) => x.toFixed(digits);
const dollars = (x: number) => fixed(x, 2);
const count = (x: number) => x.toLocaleString("en-US");
const minutes = (m: number) => (!Number.isFinite(m) ? "n/a" : m >= 120 ? `${fixed(m / 60, 1)} h` : `${m} min`);
const size = (bytes: number) => (bytes >= GiB ? `${bytes / GiB} GiB` : `${bytes / MiB} MiB`);

function listed(items: string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

export function renderFigures(r: BenchResult): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(
    `These figures come from one run on **${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}**, ` +
      `${r.generatedAt.slice(0, 10)}, engine ${r.engine.commit}${r.quick ? ", with BENCH_QUICK's reduced sizes" : ""}. ` +
      `${m.sharedNote.charAt(0).toUpperCase()}${m.sharedNote.slice(1)}. The fakes share those cores with the sync. MB = 10^6 bytes.`,
  );

  const t = r.targets;
  out.push(
    "",
    table(
      ["target", "limit", "measured", ""],
      ["l", "r", "r", "l"],
      [
        ["peak RSS above an idle run", `≤ ${t.memoryAboveIdle.limitMB} MB`, t.memoryAboveIdle.valueMB !== undefined ? `${t.memoryAboveIdle.valueMB} MB` : "-", verdict(t.memoryAboveIdle.met)],
        ["peak RSS spread across file sizes", `≤ ${percent(t.memorySpread.limit)}`, t.memorySpread.value !== undefined ? percent(t.memorySpread.value) : "-", verdict(t.memorySpread.met)],
        ["end to end ÷ gzip alone at the same level", `≥ ${t.throughputRatio.limit}`, t.throughputRatio.value ?? "-", verdict(t.throughputRatio.met)],
        ["S3 requests per instance when nothing is new", `≤ ${t.steadyS3PerInstance.limit}, 0 PUT`, t.steadyS3PerInstance.value !== undefined ? `${t.steadyS3PerInstance.value}, ${t.steadyS3PerInstance.puts} PUT` : "-", verdict(t.steadyS3PerInstance.met)],
        ["bytes downloaded ÷ distinct bytes archived, default policy", `≤ ${t.amplification.limit}`, t.amplification.worst !== undefined ? `${fixed(t.amplification.worst, 2)} (worst)` : "-", verdict(t.amplification.met)],
      ],
    ),
  );

  if (r.memory) {
    const mem = r.memory;
    out.push(
      "",
      "### Memory",
      "",
      `The CLI in a child process, one generated file each. The idle run peaks at ${mem.idle.medianPeakRssMB} MB (median of ${mem.idle.runs}). ` +
        `Peak RSS spreads by ${percent(mem.spreadPeakRss)} across sizes (${percent(mem.spreadAboveIdle)} above idle).`,
      "",
      table(
        ["file", "peak RSS MB", "above idle MB", "sync s", "MB/s", "CPU s", "gzip ratio"],
        ["l", "r", "r", "r", "r", "r", "r"],
        mem.sizes.map((s) => [size(s.bytes), s.peakRssMB, s.aboveIdleMB, s.syncSeconds, s.mbPerSecond, s.cpuSeconds, s.compressionRatio]),
      ),
    );
  }
  if (r.throughput) {
    const th = r.throughput;
    out.push(
      "",
      "### Throughput",
      "",
      `${size(th.fileBytes)} copies end to end at ${th.endToEndMBps} MB/s. gzip at level ${th.gzipLevel} alone, on the same bytes, runs at ` +
        `${th.gzipAloneMBps} MB/s: a ratio of ${th.ratioToGzip}. gzip is ${percent(th.gzipShareOfSyncCpu)} of the sync's CPU ` +
        `(${th.gzipAloneCpuSecondsPerGiB} of ${th.cpuSecondsPerGiB} CPU-s per GiB); the sync keeps ${th.syncCpuUtilisation} cores busy, ` +
        `and the fakes used ${th.fakesCpuSeconds} CPU-s during the copy.`,
    );
  }
  const rec = r.gzipRecommendation;
  if (rec) {
    out.push(
      "",
      `### gzip level: ${rec.recommendedLevel}`,
      "",
      `In-process zlib on the same generated logs, projected to a 256 MB Lambda${r.cost ? ` (about ${fixed(Number(r.cost.assumptions.lambdaCpuShare), 3)} vCPU)` : ""}. ` +
        `The bench recommends level ${rec.recommendedLevel} (the engine's default is ${r.engine.defaultGzipLevel}): ${rec.reason}.`,
      "",
      table(
        ["level", "ratio", "MB/s, 1 core", "Lambda 256 MB, MB/s", "GiB per 15-min invocation", "$/GiB compute", "$/GiB-month S3", `$/GiB over ${rec.retentionMonths} months`],
        ["r", "r", "r", "r", "r", "r", "r", "r"],
        rec.rows.map((g) => [
          g.level === rec.recommendedLevel ? `**${g.level}**` : g.level,
          g.ratio, g.MBps, g.lambdaMBps, g.maxFileGiBPerInvocation,
          fixed(g.computeDollarsPerGiB, 5), fixed(g.storageDollarsPerGiBMonth, 5), fixed(g.dollarsPerGiBOverRetention, 4),
        ]),
      ),
    );
  }
  if (r.fleet) {
    const f = r.fleet;
    const s = f.steady;
    out.push(
      "",
      `### Fleet: ${f.instances} instances × ${f.filesPerInstance} files`,
      "",
      "The first full copy, the CLI with a fresh bucket each time:",
      "",
      table(
        ["concurrency", "files", "sync s", "files/s", "speed-up", "sync CPU s", "fakes CPU s", "peak RSS MB"],
        ["r", "r", "r", "r", "r", "r", "r", "r"],
        f.firstCopy.map((c) => [c.concurrency, count(c.filesCopied), c.syncSeconds, c.filesPerSecond, `${c.speedupVsConcurrency1}×`, c.cpuSeconds, c.fakesCpuSeconds, c.peakRssMB]),
      ),
      "",
      `With nothing new (concurrency ${s.concurrency}), a run takes ${s.syncSeconds} s and copies ${s.copied} files. ` +
        `Requests per instance: ${s.rdsRequestsPerInstance} to RDS (${Object.entries(s.rds.byAction).map(([k, v]) => `${k} ${v}`).join(", ")} in all) ` +
        `and ${s.s3RequestsPerInstance} to S3 (${Object.entries(s.s3.byOperation).map(([k, v]) => `${k} ${v}`).join(", ")} in all); ` +
        `PUT or POST: ${s.s3PutsAndPosts}.`,
    );
  }
  if (r.rotation) {
    const rot = r.rotation;
    const defaults = rot.runs.filter((x) => x.activeRefreshMinutes === 0);
    out.push(
      "",
      "### Bytes moved and freshness",
      "",
      `${rot.hours} hours of writes per scheme (plus a ${rot.tailHours}-hour tail), a sync every ${rot.syncEveryMinutes} virtual minutes. ` +
        "Amplification is bytes downloaded ÷ distinct bytes archived; lag is the time from a line's write to the sync that first archived it.",
      "",
      table(
        ["scheme", "log MB/day", "amplification", "lag median", "lag p95", "lag max", "lines pending at the end"],
        ["l", "r", "r", "r", "r", "r", "r"],
        defaults.map((x) => [x.title, fixed(x.logBytesWritten / 1e6, 1), fixed(x.amplification, 2), minutes(x.lagMinutes.median), minutes(x.lagMinutes.p95), minutes(x.lagMinutes.max), x.pendingLines]),
      ),
    );
    const knob = rot.runs.filter((x) => x.scheme === rot.runs.find((y) => y.activeRefreshMinutes > 0)?.scheme);
    if (knob.length > 1) {
      const ordered = [...knob].sort((a, b) => (a.activeRefreshMinutes === 0 ? -1 : b.activeRefreshMinutes === 0 ? 1 : b.activeRefreshMinutes - a.activeRefreshMinutes));
      out.push(
        "",
        `\`activeRefreshMinutes\` on ${knob[0].title}:`,
        "",
        table(
          ["refresh", "amplification", "lag median", "lag max"],
          ["r", "r", "r", "r"],
          ordered.map((x) => [x.activeRefreshMinutes === 0 ? "off (default)" : `${x.activeRefreshMinutes} min`, fixed(x.amplification, 2), minutes(x.lagMinutes.median), minutes(x.lagMinutes.max)]),
        ),
      );
    }
  }
  if (r.cost) {
    const c = r.cost;
    const as = c.assumptions;
    out.push(
      "",
      "### Cost per month",
      "",
      `${as.instances} instances writing ${as.gibPerDayPerInstance} GB/day each, at us-east-1 prices, a sync every ${as.syncIntervalMinutes} minutes, ` +
        `a ${as.lambdaMemoryMB} MB Lambda; request counts from the ${as.requestPatternFrom}.`,
      "",
      table(
        ["", "$/month"],
        ["l", "r"],
        [
          [`Lambda: ${count(c.lambda.gbSeconds)} GB-s and ${count(c.lambda.invocations)} invocations`, dollars(c.lambda.computeDollars + c.lambda.requestDollars)],
          [`S3 requests (${count(c.s3.putClassRequests)} PUT-class, ${count(c.s3.getClassRequests)} GET/HEAD)`, dollars(c.s3.requestDollars)],
          [`S3 Standard, per month of logs kept (${c.s3.storedGBPerMonthOfLogs} GB at ratio ${as.compressionRatio})`, dollars(c.s3.storageDollarsPerMonthKept)],
          ["**rds-log-archiver, first month**", `**${dollars(c.archiverDollarsFirstMonth)}**`],
          [`CloudWatch Logs: ${Number(as.instances) * Number(as.gibPerDayPerInstance) * Number(as.daysPerMonth)} GB ingested at $${dollars(PRICES.cloudwatchIngestGb)}/GB, plus storage`, `**${dollars(c.cloudwatch.dollarsFirstMonth)}**`],
        ],
      ),
      "",
      `After 12 months of retention, storage alone is $${dollars(c.s3.storageDollarsAfter12Months)}/month in S3 (before any lifecycle ` +
        `transition), against $${dollars(c.cloudwatch.storageDollarsAfter12Months)} in CloudWatch Logs. If every invocation were a cold start, ` +
        `add at most $${fixed(c.lambda.coldStartUpperBoundDollars, 3)}/month.`,
    );
  }
  if (r.bigFile) renderBigFile(r.bigFile, out);
  if (r.fanOut) out.push(renderFanOut(r.fanOut));
  return out.join("\n");
}

function renderBigFile(b: NonNullable<BenchResult["bigFile"]>, out: string[]): void {
  const c = b.compression;
  out.push(
    "",
    "### Compression threads",
    "",
    `${size(c.sampleBytes)} of generated PostgreSQL logs at level ${c.level}, ${c.plainNode ? "in a compiled Node process without ts-node, as Lambda runs the function" : "in-process"}, best of ${c.rounds ?? 3} interleaved rounds: single-thread gzip ` +
      `of the whole sample in one call${c.rounds ? " with room for the whole output" : ""} (the baseline), one zlib stream fed 1 MiB writes (how the engine compressed before members), ` +
      `then gzip members of ${size(c.memberBytes)} compressed on libuv's thread pool with 1 and 2 in flight (archiver/sync/member-copy.ts).`,
    "",
    table(
      ["", "MB/s", "÷ single-thread gzip"],
      ["l", "r", "r"],
      [
        ["single-thread gzip, one call", fixed(c.gzipOneCallMBps, 1), "1.00"],
        ["one zlib stream, 1 MiB writes", fixed(c.gzipStreamMBps, 1), fixed(c.gzipStreamMBps / c.gzipOneCallMBps, 2)],
        ...c.threads.map((t) => [`members, ${t.threads} thread${t.threads > 1 ? "s" : ""}`, fixed(t.mbps, 1), fixed(t.ratioToGzip, 2)]),
      ],
    ),
    "",
    `Target: at least 1.6× with 2 threads: **${(c.threads.find((t) => t.threads === 2)?.ratioToGzip ?? 0) >= 1.6 ? "met" : "missed"}**. ` +
      `sha256 of the same bytes: ${fixed(c.sha256CryptoMBps, 0)} MB/s with node:crypto, ${fixed(c.sha256MidstateMBps, 0)} MB/s with the exportable pure-JS hash that Range resumes need.`,
    "",
    "### Cost per GB archived, by worker memory",
    "",
    `Lambda compute per GB of plain logs, from the throughputs above scaled to the CPU Lambda allots (one vCPU per 1,769 MB); ${b.costPerGB.price}.`,
    "",
    table(
      ["memory", "vCPUs", "MB/s", "$ per GB"],
      ["r", "r", "r", "r"],
      b.costPerGB.rows.map((x) => [`${x.memoryMB} MB`, fixed(x.vcpus, 2), fixed(x.mbps, 1), `$${x.dollarsPerGB.toFixed(6)}`]),
    ),
    "",
    `Cheapest per GB: **${b.costPerGB.cheapestMemoryMB} MB**.`,
  );
  for (const f of [b.bigFileByRange, b.bigFile]) {
    if (!f) continue;
    const how = f.mode === "range"
      ? "default settings, RDS honouring Range (the fake's option): each resumed invocation asks for the rest by Range, gets a 206 and downloads only the rest"
      : "default settings, RDS ignoring Range (the fake's default): each resumed invocation asks for the rest by Range, gets a 200, downloads the prefix again and checks it with node:crypto, then continues the hash from the recorded state";
    out.push(
      "",
      `### A file larger than one invocation: ${f.mode === "range" ? "resumed by Range" : "resumed by re-reading the prefix"}`,
      "",
      `A ${size(f.fileBytes)} file${f.fileBytes < f.targetBytes ? ` (the issue asks for ${size(f.targetBytes)}; BENCH_BIGFILE_GIB sets the size, and this shared machine ran the smaller one)` : ""}, ` +
        `copied by simulated invocations of the sync handler, one process each, with a ${f.deadlineSeconds} s deadline and ${f.compressThreads} compression threads; ${how}.`,
      "",
      table(
        ["invocation", "from", "to", "seconds", "peak RSS"],
        ["r", "r", "r", "r", "r"],
        f.perInvocation.map((p, i) => [i + 1, `${fixed(p.resumedFrom / GiB, 2)} GiB`, `${fixed(p.reachedBytes / GiB, 2)} GiB${p.copied ? " (done)" : ""}`, fixed(p.seconds, 1), `${p.peakRssMB} MB`]),
      ),
      "",
      f.stalledAt !== undefined
        ? `**Stalled at ${fixed(f.stalledAt / GiB, 2)} GiB**: re-reading that prefix took a whole ${f.deadlineSeconds} s invocation on this machine, so no part was added. ` +
            `Peak RSS from ${f.minPeakRssMB} to ${f.maxPeakRssMB} MB.`
        : `${f.invocations} invocations; peak RSS from ${f.minPeakRssMB} to ${f.maxPeakRssMB} MB. The object (${count(f.objectBytes)} bytes), gunzipped as one stream, ` +
            `${f.decompressesToOriginal ? "hashes to exactly the original's sha256" : "**does not match the original**"}.`,
    );
  }
}

/** The document with its figures section replaced; an error naming the document when a marker is missing. */
export function withFigures(doc: string, figures: string): string {
  const begin = doc.indexOf(FIGURES_BEGIN);
  const end = doc.indexOf(FIGURES_END);
  if (begin < 0 || end < begin) throw new Error(`${PERFORMANCE_DOC}: the figures markers are missing or out of order ("${FIGURES_BEGIN}" ... "${FIGURES_END}")`);
  return `${doc.slice(0, begin + FIGURES_BEGIN.length)}\n\n${figures}\n\n${doc.slice(end)}`;
}

/** The figures section as it stands in the document (what withFigures would replace). */
export function figuresIn(doc: string): string {
  const begin = doc.indexOf(FIGURES_BEGIN);
  const end = doc.indexOf(FIGURES_END);
  if (begin < 0 || end < begin) throw new Error(`${PERFORMANCE_DOC}: the figures markers are missing or out of order`);
  return doc.slice(begin + FIGURES_BEGIN.length, end).trim();
}
