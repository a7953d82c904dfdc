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
  random: () => number = Math.random,
): Promise<SendOutcome> {
  const outcome: SendOutcome = { sent: 0, failed: [], requests: 0 };
  for (const batch of batchesOf(messages)) {
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
