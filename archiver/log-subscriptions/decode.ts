/**
 * CloudWatch Logs subscription payloads: `{ awslogs: { data } }`, where data is base64 of gzip of JSON
 * { owner, logGroup, logStream, subscriptionFilters, messageType, logEvents: [{ id, timestamp, message }] }.
 * Pure: decoding, validation, and the objects a batch becomes.
 */
import { gunzipSync } from "zlib";
import { subscriptionKey } from "../layout/subscription-key";

export interface LogEvent {
  id: string;
  timestamp: number;
  message: string;
}

export interface SubscriptionBatch {
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  messageType: string;
  logEvents: unknown[];
}

export type Decoded = { ok: SubscriptionBatch } | { error: string };

/** A decoded payload may not expand beyond this: CloudWatch sends at most about 1 MB of events per call. */
const MAX_DECODED_BYTES = 64 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function decodeSubscription(event: unknown): Decoded {
  const data = (event as { awslogs?: { data?: unknown } } | null)?.awslogs?.data;
  if (typeof data !== "string" || data.length === 0) return { error: "no awslogs.data in the event" };
  const compact = data.replace(/\s+/g, "");
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) return { error: "awslogs.data is not valid base64" };
  let json: string;
  try {
    json = gunzipSync(Buffer.from(compact, "base64"), { maxOutputLength: MAX_DECODED_BYTES }).toString("utf8");
  } catch (err) {
    return { error: `awslogs.data is not gzip: ${(err as Error).message}` };
  }
  let parsed: Partial<SubscriptionBatch>;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { error: "the decoded payload is not JSON" };
  }
  if (typeof parsed !== "object" || parsed === null) return { error: "the decoded payload is not a JSON object" };
  if (typeof parsed.messageType !== "string") return { error: "the payload has no messageType" };
  if (parsed.messageType === "DATA_MESSAGE") {
    if (typeof parsed.logGroup !== "string" || !parsed.logGroup) return { error: "the payload has no logGroup" };
    if (typeof parsed.logStream !== "string" || !parsed.logStream) return { error: "the payload has no logStream" };
    if (!Array.isArray(parsed.logEvents)) return { error: "the payload has no logEvents list" };
  }
  return {
    ok: {
      owner: String(parsed.owner ?? ""),
      logGroup: parsed.logGroup ?? "",
      logStream: parsed.logStream ?? "",
      subscriptionFilters: Array.isArray(parsed.subscriptionFilters) ? parsed.subscriptionFilters.map(String) : [],
      messageType: parsed.messageType,
      logEvents: parsed.logEvents ?? [],
    },
  };
}

/** Separates well-formed log events from the rest; one bad event never costs the good ones. */
export function validEvents(batch: SubscriptionBatch): { good: LogEvent[]; bad: { index: number; error: string; value: unknown }[] } {
  const good: LogEvent[] = [];
  const bad: { index: number; error: string; value: unknown }[] = [];
  batch.logEvents.forEach((value, index) => {
    const e = value as Partial<LogEvent> | null;
    if (typeof e !== "object" || e === null) bad.push({ index, error: "not an object", value });
    else if (typeof e.id !== "string" || !e.id) bad.push({ index, error: "no id", value });
    else if (typeof e.timestamp !== "number" || !Number.isFinite(e.timestamp)) bad.push({ index, error: "no numeric timestamp", value });
    else if (typeof e.message !== "string") bad.push({ index, error: "no message", value });
    else good.push({ id: e.id, timestamp: e.timestamp, message: e.message });
  });
  return { good, bad };
}

export interface BatchObject {
  key: string;
  /** JSON lines, one per event: {"id","timestamp","message"}; a message may itself span lines. */
  body: string;
  events: number;
}

export interface SplitLimits {
  maxEvents: number;
  maxBytes: number;
}

export const DEFAULT_LIMITS: SplitLimits = { maxEvents: 10_000, maxBytes: 8 * 1024 * 1024 };

/**
 * The objects a batch is archived as: one, or several when the batch is oversized. Each object's key comes
 * from its own first event (archiver/layout/subscription-key.ts), so a redelivered batch overwrites the same objects.
 */
export function batchObjects(batch: SubscriptionBatch, events: readonly LogEvent[], limits: SplitLimits = DEFAULT_LIMITS): BatchObject[] {
  const objects: BatchObject[] = [];
  let current: string[] = [];
  let bytes = 0;
  let first: LogEvent | undefined;
  const flush = () => {
    if (!first) return;
    objects.push({ key: subscriptionKey(batch.logGroup, batch.logStream, first), body: current.join(""), events: current.length });
    current = [];
    bytes = 0;
    first = undefined;
  };
  for (const e of events) {
    const line = `${JSON.stringify({ id: e.id, timestamp: e.timestamp, message: e.message })}\n`;
    const size = Buffer.byteLength(line);
    if (first && (current.length >= limits.maxEvents || bytes + size > limits.maxBytes)) flush();
    first ??= e;
    current.push(line);
    bytes += size;
  }
  flush();
  return objects;
}
