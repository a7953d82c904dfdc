/**
 * Lambda's SQS event source mapping, for a FifoQueue: pollers receive batches and invoke the function with
 * Lambda's SQS event, at most `maximumConcurrency` invocations at once. With ReportBatchItemFailures, the
 * messages of a batch not named in the response's batchItemFailures are deleted, the named ones are left to
 * their visibility timeout. A response that names a message not in the batch, an invocation that throws, or a
 * function that dies (a killed container) fails the whole batch: nothing is deleted.
 */
import type { FifoQueue, ReceivedMessage } from "./fifo-queue";

export interface SqsLambdaEvent {
  Records: {
    messageId: string;
    receiptHandle: string;
    body: string;
    attributes: ReceivedMessage["attributes"];
    messageAttributes: Record<string, never>;
    md5OfBody: string;
    eventSource: "aws:sqs";
    eventSourceARN: string;
    awsRegion: string;
  }[];
}

export type InvokeWorker = (event: SqsLambdaEvent) => Promise<unknown>;

export interface MappingOptions {
  batchSize: number;
  maximumConcurrency: number;
  queueArn: string;
  region?: string;
}

export interface DrainStats {
  invocations: number;
  /** Invocations that threw or died: their whole batch went back to the queue. */
  failedInvocations: number;
  /** Messages named in a batchItemFailures answer. */
  reportedFailures: number;
  deleted: number;
  /** Times the queue's clock was moved on to a visibility timeout's end, because only in-flight messages were left. */
  visibilityWaits: number;
  /** The most invocations that ran at once. */
  peakConcurrency: number;
}

export function lambdaEventOf(messages: ReceivedMessage[], o: Pick<MappingOptions, "queueArn" | "region">): SqsLambdaEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.messageId,
      receiptHandle: m.receiptHandle,
      body: m.body,
      attributes: m.attributes,
      messageAttributes: {},
      md5OfBody: m.md5OfBody,
      eventSource: "aws:sqs",
      eventSourceARN: o.queueArn,
      awsRegion: o.region ?? "us-east-1",
    })),
  };
}

/** The ids a partial batch response leaves on the queue; undefined when the whole batch failed. */
export function failedIds(response: unknown, batch: readonly ReceivedMessage[]): string[] | undefined {
  if (response === null || response === undefined) return [];
  if (typeof response !== "object") return [];
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return [];
  if (!Array.isArray(failures)) return undefined;
  const ids = failures.map((f) => (f as { itemIdentifier?: unknown })?.itemIdentifier);
  if (ids.some((id) => typeof id !== "string" || !batch.some((m) => m.messageId === id))) return undefined;
  return ids as string[];
}

export class EventSourceMapping {
  constructor(private readonly queue: FifoQueue, private readonly invoke: InvokeWorker, private readonly o: MappingOptions) {
    if (o.batchSize < 1 || o.batchSize > 10) throw new Error("a FIFO queue's batch size is 1 to 10");
    if (o.maximumConcurrency < 2) throw new Error("MaximumConcurrency is at least 2");
  }

  /**
   * Polls until the queue is empty. When only in-flight messages of dead invocations are left, the queue's clock
   * is moved to the end of their visibility timeout (what a real poller would wait for).
   */
  async drain(maxInvocations = 10_000): Promise<DrainStats> {
    const stats = emptyStats();
    const running = new Set<Promise<void>>();
    while (this.queue.size > 0) {
      while (running.size < this.o.maximumConcurrency) {
        const batch = this.queue.receive(this.o.batchSize);
        if (batch.length === 0) break;
        if (++stats.invocations > maxInvocations) throw new Error(`the queue did not drain in ${maxInvocations} invocations`);
        const run = this.run(batch, stats).finally(() => running.delete(run));
        running.add(run);
        stats.peakConcurrency = Math.max(stats.peakConcurrency, running.size);
      }
      if (running.size > 0) {
        await Promise.race(running);
        continue;
      }
      const next = this.queue.nextVisibleAt();
      if (next === undefined) break;
      this.queue.advanceClock(Math.max(0, next - this.queue.now()));
      stats.visibilityWaits++;
    }
    await Promise.all(running);
    return stats;
  }

  /** One poll: one batch received and its invocation's answer applied. Resolves false when nothing was visible. */
  async pollOnce(stats = emptyStats()): Promise<boolean> {
    const batch = this.queue.receive(this.o.batchSize);
    if (batch.length === 0) return false;
    stats.invocations++;
    await this.run(batch, stats);
    return true;
  }

  private async run(batch: ReceivedMessage[], stats: DrainStats): Promise<void> {
    let response: unknown;
    try {
      response = await this.invoke(lambdaEventOf(batch, this.o));
    } catch {
      stats.failedInvocations++;
      return;
    }
    const failed = failedIds(response, batch);
    if (failed === undefined) {
      stats.failedInvocations++;
      return;
    }
    stats.reportedFailures += failed.length;
    for (const m of batch) {
      if (!failed.includes(m.messageId) && this.queue.delete(m.receiptHandle)) stats.deleted++;
    }
  }
}

function emptyStats(): DrainStats {
  return { invocations: 0, failedInvocations: 0, reportedFailures: 0, deleted: 0, visibilityWaits: 0, peakConcurrency: 0 };
}
