/**
 * The fan-out queue's message: one instance to sync, the group its keys start with, and the schedule tick that
 * asked for it. Pure: the dispatcher encodes, the worker decodes, and the deduplication id is derived here only.
 */
import { identifierProblem } from "../rds-identifier";

export interface SyncMessage {
  instance: string;
  /** The cluster id for an Aurora member, else the instance id. */
  group: string;
  /** The schedule tick, ISO 8601 to the second (EventBridge's `time`). */
  tick: string;
}

/** The message format's version, so a worker of one release refuses a message of another by name. */
export const MESSAGE_VERSION = 1;
/** SQS's limit on a MessageDeduplicationId. */
export const MAX_DEDUPLICATION_ID_LENGTH = 128;

export function encodeMessage(m: SyncMessage): string {
  return JSON.stringify({ v: MESSAGE_VERSION, instance: m.instance, group: m.group, tick: m.tick });
}

/** The message, or why it is not one; never throws. */
export function decodeMessage(body: string): { message: SyncMessage } | { problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { problem: `not JSON: ${JSON.stringify(body.slice(0, 80))}` };
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { problem: "not a JSON object" };
  const o = raw as Record<string, unknown>;
  if (o.v !== MESSAGE_VERSION) return { problem: `unknown message version ${JSON.stringify(o.v)} (expected ${MESSAGE_VERSION})` };
  for (const field of ["instance", "group"] as const) {
    const value = o[field];
    if (typeof value !== "string") return { problem: `${field} is missing` };
    const problem = identifierProblem(value);
    if (problem) return { problem: `${field}: ${problem}` };
  }
  const tick = typeof o.tick === "string" ? scheduleTick(o.tick) : undefined;
  if (!tick || tick !== o.tick) return { problem: `tick ${JSON.stringify(o.tick)} is not a time to the second` };
  return { message: { instance: o.instance as string, group: o.group as string, tick } };
}

/**
 * The tick of a scheduled event: its `time` to the second, or undefined when it has none that parses.
 * A repeated or late delivery of one EventBridge tick carries the same `time`, so it maps to the same tick.
 */
export function scheduleTick(time: unknown): string | undefined {
  if (typeof time !== "string" || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(time)) return undefined;
  const ms = Date.parse(time);
  if (!Number.isFinite(ms)) return undefined;
  return new Date(ms - (ms % 1000)).toISOString().replace(".000Z", "Z");
}

/**
 * The deduplication id of an instance's message for a tick: `<instance>@<tick digits>`. SQS drops a second
 * message with the same id within five minutes, so a tick delivered twice enqueues each instance once.
 * At most 63 + 1 + 14 characters, all of them allowed by SQS (letters, digits, punctuation).
 */
export function deduplicationId(instance: string, tick: string): string {
  return `${instance}@${tick.replace(/[^0-9]/g, "")}`;
}
