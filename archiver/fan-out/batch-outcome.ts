/**
 * What a worker answers the event source mapping for a batch. FIFO order holds only if nothing after a failed
 * message is deleted: from the first failure on, that message and every later one of the batch are reported
 * as failures (AWS's rule for FIFO partial batch responses), so SQS hands them out again in order.
 */
export type RecordResult = "done" | "failed" | "not-started";

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export function batchResponse(records: readonly { messageId: string }[], results: readonly RecordResult[]): BatchResponse {
  const first = records.findIndex((_, n) => results[n] !== "done");
  return { batchItemFailures: first < 0 ? [] : records.slice(first).map((r) => ({ itemIdentifier: r.messageId })) };
}
