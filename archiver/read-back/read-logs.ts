/**
 * `logs`: the archived lines of one instance over a time range, in time order, streamed from S3 through gunzip to
 * `out`; optionally followed by what RDS holds but has not archived yet. Lists only the hour prefixes the range
 * needs (read-plan.ts). Stops cleanly when `out` closes (a pipe into `head`) or `signal` aborts.
 */
import { once } from "events";
import { createInterface } from "readline";
import type { Readable, Writable } from "stream";
import * as zlib from "zlib";
import type { AwsClients } from "../aws-clients";
import { archiveHourPrefix, archivePrefix, parseArchiveKey, ROOT_LOGTYPE } from "../layout/archive-key";
import { decodeSegment, encodeSegment } from "../layout/segments";
import { mapLimited } from "../limit";
import { openLogFileDownload } from "../rds/download-log-file";
import { listLogFiles } from "../rds/list-log-files";
import { listObjectPages } from "../s3/archive-reading";
import { peekGzip } from "../sync/gzip-magic";
import { classifyFiles } from "../verify/classify-files";
import { lineTime } from "./line-time";
import { mergeByTime, timedLines, type LineSource, type TimedLine } from "./merge-lines";
import { hoursToList, mayHoldLinesBefore } from "./read-plan";
import type { TimeRange } from "./time-range";

export interface ReadLogsRequest {
  bucket: string;
  /** The cluster id for an Aurora member, else the instance id. */
  group: string;
  instance: string;
  /** Logtypes to read (`error`, `audit`...); empty for all. */
  types: readonly string[];
  range: TimeRange;
  grep?: RegExp;
  withActive: boolean;
}

export interface ReadLogsIo {
  aws: AwsClients;
  out: Writable;
  /** One-line notes for stderr. */
  note: (line: string) => void;
  now: () => number;
  signal?: AbortSignal;
}

export interface ReadLogsResult {
  objects: number;
  lines: number;
  activeFiles: number;
  /** The reader of `out` went away (EPIPE): the output stopped there, which is not an error. */
  outputClosed: boolean;
}

/** The marker in front of each line RDS holds but the archive does not yet. */
export const NOT_ARCHIVED_MARK = "[not archived]";
const LIST_CONCURRENCY = 8;
export async function readLogs(req: ReadLogsRequest, io: ReadLogsIo): Promise<ReadLogsResult> {
  const result: ReadLogsResult = { objects: 0, lines: 0, activeFiles: 0, outputClosed: false };
  const writer = lineWriter(io.out);
  const open: Readable[] = [];
  const track = (r: Readable) => (open.push(r), r);
  try {
    const keys = await keysInRange(io.aws, req);
    result.objects = keys.length;
    if (keys.length === 0) {
      io.note(`no archived objects of ${req.instance} between ${iso(req.range.from)} and ${iso(req.range.to)}`);
    }
    const archived = keys.map((k): LineSource => ({ lines: objectLines(io.aws, req.bucket, k.key, track), fallbackTime: k.hour }));
    result.lines += await writeRange(archived, req, writer, io.signal);
    if (req.withActive && !writer.closed()) {
      const active = await unarchivedFiles(io.aws, req, io.now());
      result.activeFiles = active.length;
      const sources = active.map((file): LineSource => ({
        lines: downloadLines(io.aws, req.instance, file, track, io.signal),
        fallbackTime: req.range.from,
        prefix: `${NOT_ARCHIVED_MARK} ${file}: `,
      }));
      result.lines += await writeRange(sources, req, writer, io.signal);
    }
  } finally {
    for (const r of open) r.destroy();
  }
  result.outputClosed = writer.closed();
  return result;
}

/**
 * Every source ends at its first line at or after `to`, so its stream (and connection) closes as soon as it has
 * nothing more for the range, and sources that start after the range cost one GET and a first chunk.
 */
async function writeRange(sources: LineSource[], req: ReadLogsRequest, writer: LineWriter, signal?: AbortSignal): Promise<number> {
  const merged = mergeByTime(sources.map((s) => linesBefore(timedLines(s, lineTime), req.range.to)[Symbol.asyncIterator]()));
  let written = 0;
  for await (const line of merged) {
    if (writer.closed() || signal?.aborted) break;
    if (line.time < req.range.from || (req.grep && !req.grep.test(line.text))) continue;
    await writer.write(line.text);
    written++;
  }
  await merged.return(undefined);
  return written;
}

async function* linesBefore(lines: AsyncGenerator<TimedLine>, to: number): AsyncGenerator<TimedLine> {
  for await (const line of lines) {
    if (line.time >= to) return;
    yield line;
  }
}

interface LineWriter {
  write(line: string): Promise<void>;
  closed(): boolean;
}

/** Writes with backpressure; an EPIPE (or any error of `out`) closes it quietly, and writing stops. */
function lineWriter(out: Writable): LineWriter {
  let closed = false;
  out.on("error", () => {
    closed = true;
  });
  return {
    async write(line) {
      if (closed) return;
      let ready: boolean;
      try {
        ready = out.write(`${line}\n`);
      } catch {
        // A pipe whose reader has gone can fail the write at once rather than through 'error'.
        closed = true;
        return;
      }
      if (!ready) {
        const waiting = new AbortController();
        const settled = (p: Promise<unknown>) => p.catch(() => undefined);
        const { signal } = waiting;
        await Promise.race([settled(once(out, "drain", { signal })), settled(once(out, "error", { signal })), settled(once(out, "close", { signal }))]);
        waiting.abort();
        if (out.destroyed) closed = true;
      }
    },
    closed: () => closed || out.destroyed || out.writableEnded,
  };
}

/** The objects of the range: one listing per logtype and hour, never the whole bucket. */
async function keysInRange(aws: AwsClients, req: ReadLogsRequest): Promise<{ key: string; hour: number }[]> {
  const segments = req.types.length > 0
    ? req.types.map((t) => (t === ROOT_LOGTYPE ? ROOT_LOGTYPE : encodeSegment(t)))
    : await logTypeSegments(aws, req.bucket, req.group);
  const prefixes = segments.flatMap((s) => hoursToList(req.range).map((hour) => ({ hour, prefix: archiveHourPrefix(req.group, req.instance, logNameOfType(s), hour) })));
  const listed = await mapLimited(prefixes, LIST_CONCURRENCY, async ({ hour, prefix }) => (await listKeys(aws, req.bucket, prefix)).map((key) => ({ key, hour })));
  return listed.flat().filter(({ key }) => {
    const parts = parseArchiveKey(key);
    const logName = parts && (parts.logType === ROOT_LOGTYPE ? parts.rest : `${parts.logType}/${parts.rest}`);
    return logName === undefined || mayHoldLinesBefore(logName, req.range.to);
  });
}

/** A log name of the logtype a key segment stands for: archiveHourPrefix needs only its folder. */
function logNameOfType(segment: string): string {
  return segment === ROOT_LOGTYPE ? "_" : `${decodeSegment(segment)}/_`;
}

/** The logtype segments of a group: one delimited listing of `<group>/`. */
async function logTypeSegments(aws: AwsClients, bucket: string, group: string): Promise<string[]> {
  const segments: string[] = [];
  let token: string | undefined;
  do {
    const page = await aws.s3.send(new aws.sdk.s3.ListObjectsV2Command({
      Bucket: bucket, Prefix: archivePrefix(group), Delimiter: "/", ...(token ? { ContinuationToken: token } : {}),
    }));
    for (const p of page.CommonPrefixes ?? []) {
      const segment = p.Prefix?.slice(archivePrefix(group).length, -1);
      if (segment && !segment.includes("/")) segments.push(segment);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return segments;
}

async function listKeys(aws: AwsClients, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of listObjectPages({ sdk: aws.sdk, s3: aws.s3, bucket }, prefix)) {
    for (const o of page) if (o.key.endsWith(".gz")) keys.push(o.key);
  }
  return keys;
}

/** An object's lines, fetched when first read: sources that are never reached cost no request. */
async function* objectLines(aws: AwsClients, bucket: string, key: string, track: (r: Readable) => Readable): AsyncGenerator<string> {
  const out = await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = track(out.Body as Readable);
  yield* textLines(track(body.pipe(zlib.createGunzip())), body);
}

async function* downloadLines(aws: AwsClients, instance: string, file: string, track: (r: Readable) => Readable, signal?: AbortSignal): AsyncGenerator<string> {
  const res = track(await openLogFileDownload(aws, instance, file, signal));
  const peeked = await peekGzip(res);
  yield* textLines(track(peeked.gzip ? peeked.body.pipe(zlib.createGunzip()) : peeked.body), res);
}

async function* textLines(text: Readable, source: Readable): AsyncGenerator<string> {
  // An error of the compressed source (a dropped connection) ends the text stream with that error.
  source.once("error", (err) => text.destroy(err));
  const lines = createInterface({ input: text, crlfDelay: Infinity });
  try {
    for await (const line of lines) yield line;
  } finally {
    lines.close();
  }
}

/**
 * What RDS holds that the archive does not, and that may hold lines of the range: active files, and closed files
 * not archived yet, last written at or after the range starts.
 */
async function unarchivedFiles(aws: AwsClients, req: ReadLogsRequest, now: number): Promise<string[]> {
  const listing = (await listLogFiles(aws, req.instance)).filter((f) => f.size > 0 && f.lastWritten >= req.range.from);
  const verdicts = classifyFiles({ group: req.group, instance: req.instance, listing, objects: new Map(), now, deferWindowMs: 0 });
  const wanted = (name: string) => req.types.length === 0 || req.types.some((t) => name.startsWith(`${t}/`) || (t === ROOT_LOGTYPE && !name.includes("/")));
  const out: string[] = [];
  for (const v of verdicts) {
    if (!wanted(v.file)) continue;
    if (v.status === "pending" && v.reason !== "empty") out.push(v.file);
    else if (v.status === "missing" && v.key && !(await exists(aws, req.bucket, v.key))) out.push(v.file);
  }
  return out;
}

async function exists(aws: AwsClients, bucket: string, key: string): Promise<boolean> {
  try {
    await aws.s3.send(new aws.sdk.s3.HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === "NotFound" || e.$metadata?.httpStatusCode === 404) return false;
    throw err;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
