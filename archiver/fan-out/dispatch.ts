/**
 * The dispatcher's work: one message per instance for a tick, sent in batches of ten (SQS's limit), with the
 * entries SQS refused sent again after a backoff. Sending a batch again is safe: every entry keeps its
 * deduplication id, so SQS drops what it already has.
 */
import { errorCode, errorMessage } from "../errors";
import { backoffDelay, isRetryable, sleep, type RetryPolicy } from "../sync/retry";
import type { InstanceTarget } from "../sync/sync-instance";
import { deduplicationId, encodeMessage } from "./message";
import type { BatchEntry, SendBatch } from "./sqs-send";

/** SQS's limit on the entries of one SendMessageBatch. */
export const MAX_BATCH_ENTRIES = 10;
/**
 * Messages a second the dispatcher aims for: an idle worker makes about one RDS call per message, so a tick's
 * listing calls stay at half of RDS's sustained 12 a second, whatever the worker concurrency.
 */
export const MESSAGES_PER_SECOND = 6;
/** A tick is spread over at most this long, faster than MESSAGES_PER_SECOND if the fleet needs it. */
export const MAX_SPREAD_MS = 120_000;

/** The pause between two batches of a tick of `messages`: MESSAGES_PER_SECOND, or all of them within MAX_SPREAD_MS. */
export function batchSpacingMs(messages: number): number {
  const batches = Math.ceil(messages / MAX_BATCH_ENTRIES);
  if (batches <= 1) return 0;
  const atRate = (MAX_BATCH_ENTRIES / MESSAGES_PER_SECOND) * 1000;
  return Math.floor(Math.min(atRate, MAX_SPREAD_MS / (batches - 1)));
}

/** One entry per instance, grouped by instance: SQS hands out one message of a group at a time. */
export function messagesFor(targets: readonly InstanceTarget[], tick: string): Omit<BatchEntry, "Id">[] {
  return targets.map((t) => ({
    MessageBody: encodeMessage({ instance: t.instance, group: t.group, tick }),
    MessageGroupId: t.instance,
    MessageDeduplicationId: deduplicationId(t.instance, tick),
  }));
}

/** Consecutive batches of at most `size`. */
export function batchesOf<T>(items: readonly T[], size = MAX_BATCH_ENTRIES): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface SendOutcome {
  sent: number;
  /** Instances whose message could not be sent, with SQS's reason. */
  failed: { instance: string; code: string; message: string }[];
  /** SendMessageBatch requests made, retries included. */
  requests: number;
}

export async function sendAll(
  messages: readonly Omit<BatchEntry, "Id">[],
  send: SendBatch,
  retry: RetryPolicy,
  o: { spacingMs?: number; random?: () => number } = {},
): Promise<SendOutcome> {
  const outcome: SendOutcome = { sent: 0, failed: [], requests: 0 };
  const random = o.random ?? Math.random;
  for (const [n, batch] of batchesOf(messages).entries()) {
    if (n > 0 && o.spacingMs) await sleep(o.spacingMs);
    let pending: BatchEntry[] = batch.map((m, n) => ({ Id: String(n), ...m }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      const last = attempt + 1 >= retry.attempts;
      let retryable: BatchEntry[] = [];
      try {
        outcome.requests++;
        const result = await send(pending);
        outcome.sent += result.Successful.length;
        for (const f of result.Failed) {
          const entry = pending.find((e) => e.Id === f.Id);
          if (!entry) continue;
          // A sender fault (a bad entry) fails the same way every time.
          if (f.SenderFault || last) outcome.failed.push({ instance: entry.MessageGroupId, code: f.Code ?? "Failed", message: f.Message ?? "" });
          else retryable.push(entry);
        }
      } catch (err) {
        if (last || !isRetryable(err)) {
          for (const e of pending) outcome.failed.push({ instance: e.MessageGroupId, code: errorCode(err), message: errorMessage(err) });
        } else {
          retryable = pending;
        }
      }
      pending = retryable;
      if (pending.length > 0) await sleep(backoffDelay(retry, attempt, random));
    }
  }
  return outcome;
}
