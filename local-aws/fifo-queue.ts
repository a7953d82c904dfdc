/**
 * An in-process SQS FIFO queue, as the SQS documentation describes one:
 * - messages leave in the order they were sent; within a message group, strictly one at a time: while a message of
 *   a group is in flight (received, not deleted, visibility timeout not expired), the group delivers nothing more;
 * - a received message is invisible for the visibility timeout, then visible again with a higher receive count;
 *   a receipt handle is valid only until then;
 * - a second send with the same MessageDeduplicationId within the 5-minute deduplication interval is accepted
 *   and dropped (it returns the first message's id);
 * - with a redrive policy, a message received maxReceiveCount times moves to the dead-letter queue on the next
 *   receive instead of being delivered;
 * - a receive returns at most 10 messages.
 * Time is its own clock (Date.now plus what advanceClock added), so a test can expire visibility timeouts at once.
 */
import * as crypto from "node:crypto";

export const DEDUPLICATION_INTERVAL_MS = 5 * 60_000;
export const MAX_RECEIVE_MESSAGES = 10;

export interface FifoQueueOptions {
  name: string;
  visibilityTimeoutMs: number;
  redrive?: { deadLetterQueue: FifoQueue; maxReceiveCount: number };
  now?: () => number;
}

export interface SendInput {
  body: string;
  groupId: string;
  deduplicationId: string;
}

export interface SendOutput {
  messageId: string;
  sequenceNumber: string;
  /** True when the deduplication id was seen within the interval: nothing was enqueued. */
  duplicate: boolean;
}

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  attributes: {
    ApproximateReceiveCount: string;
    SentTimestamp: string;
    ApproximateFirstReceiveTimestamp: string;
    SequenceNumber: string;
    MessageGroupId: string;
    MessageDeduplicationId: string;
    SenderId: string;
  };
}

interface StoredMessage {
  messageId: string;
  sequence: bigint;
  body: string;
  groupId: string;
  deduplicationId: string;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** Set while in flight. */
  invisibleUntil?: number;
  receiptHandle?: string;
}

export class FifoQueue {
  private readonly messages: StoredMessage[] = [];
  private readonly deduplication = new Map<string, { messageId: string; sequence: bigint; at: number }>();
  private sequence = 10_000_000_000_000_000_000n;
  private clockOffsetMs = 0;
  private readonly baseNow: () => number;
  /** Messages moved here from another queue by its redrive policy. */
  readonly movedIn: string[] = [];

  constructor(readonly o: FifoQueueOptions) {
    if (!o.name.endsWith(".fifo")) throw new Error(`a FIFO queue's name ends with .fifo: ${o.name}`);
    if (o.redrive && !(o.redrive.maxReceiveCount >= 1)) throw new Error("maxReceiveCount must be at least 1");
    this.baseNow = o.now ?? Date.now;
  }

  now(): number {
    return this.baseNow() + this.clockOffsetMs;
  }

  /** Moves the queue's clock on: visibility timeouts and deduplication intervals expire as if that time had passed. */
  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  send(input: SendInput): SendOutput {
    if (!input.groupId) throw queueError("MissingParameter", "The request must contain the parameter MessageGroupId.");
    if (!input.deduplicationId) throw queueError("InvalidParameterValue", "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
    const now = this.now();
    const seen = this.deduplication.get(input.deduplicationId);
    if (seen && now - seen.at < DEDUPLICATION_INTERVAL_MS) {
      return { messageId: seen.messageId, sequenceNumber: String(seen.sequence), duplicate: true };
    }
    const message: StoredMessage = {
      messageId: crypto.randomUUID(),
      sequence: ++this.sequence,
      body: input.body,
      groupId: input.groupId,
      deduplicationId: input.deduplicationId,
      sentAt: now,
      receiveCount: 0,
    };
    this.messages.push(message);
    this.deduplication.set(input.deduplicationId, { messageId: message.messageId, sequence: message.sequence, at: now });
    return { messageId: message.messageId, sequenceNumber: String(message.sequence), duplicate: false };
  }

  /**
   * Up to `max` (1..10) messages in sequence order, skipping every group that has a message in flight. Messages of
   * one group come in their order, and the group is then in flight until each of them is deleted or expires.
   */
  receive(max = MAX_RECEIVE_MESSAGES): ReceivedMessage[] {
    if (!Number.isInteger(max) || max < 1 || max > MAX_RECEIVE_MESSAGES) {
      throw queueError("InvalidParameterValue", `MaxNumberOfMessages must be from 1 to ${MAX_RECEIVE_MESSAGES}, got ${max}`);
    }
    const now = this.now();
    this.expireVisibility(now);
    const blocked = new Set(this.messages.filter((m) => m.invisibleUntil !== undefined).map((m) => m.groupId));
    const out: ReceivedMessage[] = [];
    for (const message of [...this.messages]) {
      if (out.length >= max) break;
      if (message.invisibleUntil !== undefined || blocked.has(message.groupId)) continue;
      const redrive = this.o.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        this.remove(message);
        redrive.deadLetterQueue.moveIn(message);
        continue;
      }
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.invisibleUntil = now + this.o.visibilityTimeoutMs;
      message.receiptHandle = crypto.randomBytes(24).toString("base64url");
      out.push(this.view(message));
      // Later messages of this group may follow in the same receive, in order; other receives skip the group.
    }
    return out;
  }

  /** Deletes a message by the handle of its current receive; false when the handle expired or is unknown. */
  delete(receiptHandle: string): boolean {
    this.expireVisibility(this.now());
    const message = this.messages.find((m) => m.receiptHandle === receiptHandle && m.invisibleUntil !== undefined);
    if (!message) return false;
    this.remove(message);
    return true;
  }

  /** Messages not yet deleted, visible or in flight. */
  get size(): number {
    return this.messages.length;
  }

  get inFlight(): number {
    this.expireVisibility(this.now());
    return this.messages.filter((m) => m.invisibleUntil !== undefined).length;
  }

  /** When the earliest in-flight message becomes visible again, or undefined. */
  nextVisibleAt(): number | undefined {
    const times = this.messages.flatMap((m) => (m.invisibleUntil !== undefined ? [m.invisibleUntil] : []));
    return times.length ? Math.min(...times) : undefined;
  }

  /** CloudWatch's ApproximateAgeOfOldestMessage, in ms. */
  ageOfOldestMessageMs(): number {
    return this.messages.length ? this.now() - Math.min(...this.messages.map((m) => m.sentAt)) : 0;
  }

  /** Every message body still in the queue, in order (for checks and the dead-letter queue). */
  bodies(): string[] {
    return this.messages.map((m) => m.body);
  }

  private moveIn(message: StoredMessage): void {
    this.movedIn.push(message.messageId);
    this.messages.push({ ...message, sequence: ++this.sequence, receiveCount: 0, invisibleUntil: undefined, receiptHandle: undefined, firstReceivedAt: undefined });
  }

  private remove(message: StoredMessage): void {
    this.messages.splice(this.messages.indexOf(message), 1);
  }

  private expireVisibility(now: number): void {
    for (const m of this.messages) {
      if (m.invisibleUntil !== undefined && m.invisibleUntil <= now) {
        m.invisibleUntil = undefined;
        m.receiptHandle = undefined;
      }
    }
  }

  private view(m: StoredMessage): ReceivedMessage {
    return {
      messageId: m.messageId,
      receiptHandle: m.receiptHandle!,
      body: m.body,
      md5OfBody: crypto.createHash("md5").update(m.body).digest("hex"),
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
        SequenceNumber: String(m.sequence),
        MessageGroupId: m.groupId,
        MessageDeduplicationId: m.deduplicationId,
        SenderId: "AIDAFAKESENDER",
      },
    };
  }
}

export function queueError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: code, code });
}
