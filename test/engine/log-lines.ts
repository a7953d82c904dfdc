/**
 * What a function writes to stdout, captured in-process the way Lambda (and test/shipped's host) captures it,
 * and the checks of its two kinds of line: Powertools-shaped log records and CloudWatch EMF documents.
 */
import { strict as assert } from "assert";

/** Runs `fn` with process.stdout.write captured; returns its result and the lines written. */
export async function captureStdout<T>(fn: () => Promise<T>): Promise<{ result?: T; error?: Error; lines: string[] }> {
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: await fn(), lines: chunks.join("").split("\n").filter((l) => l.length > 0) };
  } catch (err) {
    return { error: err as Error, lines: chunks.join("").split("\n").filter((l) => l.length > 0) };
  } finally {
    process.stdout.write = write;
  }
}

export const POWERTOOLS_FIELDS = ["level", "message", "timestamp", "service", "cold_start", "function_name", "function_request_id"];

/** A log record as Powertools' Logger writes it; returns it parsed. */
export function assertPowertoolsRecord(line: string): Record<string, unknown> {
  const record = JSON.parse(line) as Record<string, unknown>;
  assert.deepEqual(Object.keys(record).slice(0, 3), ["level", "message", "timestamp"], line);
  for (const field of POWERTOOLS_FIELDS) assert.ok(field in record, `${field} missing in ${line}`);
  assert.match(String(record.level), /^(DEBUG|INFO|WARN|ERROR)$/);
  assert.equal(typeof record.message, "string");
  assert.equal(new Date(String(record.timestamp)).toISOString(), record.timestamp);
  assert.equal(typeof record.cold_start, "boolean");
  return record;
}

/**
 * An EMF document CloudWatch accepts: one line of JSON whose `_aws` has a millisecond Timestamp and metric
 * directives, each dimension set naming top-level string members and each metric a top-level number.
 */
export function assertEmfDocument(line: string): Record<string, any> {
  assert.ok(!line.includes("\n"));
  const doc = JSON.parse(line) as Record<string, any>;
  const aws = doc._aws;
  assert.ok(aws && Number.isInteger(aws.Timestamp) && aws.Timestamp > 0, line);
  assert.ok(Array.isArray(aws.CloudWatchMetrics) && aws.CloudWatchMetrics.length > 0);
  for (const d of aws.CloudWatchMetrics) {
    assert.equal(typeof d.Namespace, "string");
    assert.ok(d.Namespace.length > 0 && d.Namespace.length <= 1024);
    for (const set of d.Dimensions) {
      assert.ok(set.length <= 30);
      for (const name of set) assert.equal(typeof doc[name], "string", `dimension ${name}`);
    }
    assert.ok(d.Metrics.length > 0 && d.Metrics.length <= 100);
    for (const m of d.Metrics) {
      assert.equal(typeof doc[m.Name], "number", `metric ${m.Name}`);
      assert.match(m.Unit, /^(Count|Bytes|Seconds|Milliseconds|None)$/);
    }
  }
  return doc;
}
