/**
 * A fan-out stage as `pulumi up` ships it, against the fakes: the serialized dispatcher and worker (test/shipped),
 * the FIFO queue and its dead-letter queue (local-aws/fake-sqs.ts, over HTTP for the dispatcher), and Lambda's
 * event source mapping feeding concurrent worker hosts. A worker host can be killed mid-invocation: its message
 * stays in flight until its visibility timeout ends, then another worker gets it.
 */
import type { DispatchReport } from "../../archiver/lambda/dispatch-handler";
import type { BatchResponse } from "../../archiver/fan-out/batch-outcome";
import type { SyncReport } from "../../archiver/report";
import { dispatchSettingsToEnv, settingsToEnv, type SyncSettings } from "../../archiver/settings";
import { childEnv } from "../../local-aws/env";
import { EventSourceMapping, type DrainStats, type SqsLambdaEvent } from "../../local-aws/event-source-mapping";
import type { FakeRds } from "../../local-aws/fake-rds";
import { FakeSqs } from "../../local-aws/fake-sqs";
import type { FifoQueue } from "../../local-aws/fifo-queue";
import type { LocalS3 } from "../../local-aws/local-s3";
import type { VirtualClockFile } from "../shipped/clock";
import { HostExited } from "../shipped/host";
import { FAN_OUT } from "../shipped/packages";
import { HostPool } from "../shipped/pool";
import { SCHEDULED_EVENT } from "../shipped/runner";

export interface FanOutOptions {
  rds: FakeRds;
  s3: LocalS3;
  settings: SyncSettings;
  clock?: VirtualClockFile;
  /** The queue's clock (its deduplication interval and visibility timeouts); default Date.now. */
  now?: () => number;
  workerConcurrency?: number;
  visibilityTimeoutMs?: number;
  maxReceiveCount?: number;
  /** What context.getRemainingTimeInMillis() starts from in a worker (default 900 s). */
  workerRemainingMs?: number;
  /** After a worker succeeded, lose its delete (true): SQS hands the message out again, a second delivery. */
  loseDelete?: (messageBody: string) => boolean;
}

/** One worker invocation, as its logs tell it. */
export interface WorkerRun {
  bodies: string[];
  groups: string[];
  logs: string[];
  response?: BatchResponse;
  /** The host died before answering. */
  crashed?: string;
  /** Real time (performance.now()) the invocation started and ended. */
  startedAt: number;
  endedAt?: number;
}

/** Pairs of runs for one message group (instance) that overlapped in time: what SQS FIFO must never allow. */
export function overlappingRuns(runs: readonly WorkerRun[]): [WorkerRun, WorkerRun][] {
  const groupOf = (r: WorkerRun) => r.groups.join(",");
  const out: [WorkerRun, WorkerRun][] = [];
  runs.forEach((a, i) => runs.slice(i + 1).forEach((b) => {
    if (groupOf(a) === groupOf(b) && a.startedAt < (b.endedAt ?? Infinity) && b.startedAt < (a.endedAt ?? Infinity)) out.push([a, b]);
  }));
  return out;
}

export class FanOutStage {
  readonly runs: WorkerRun[] = [];
  private constructor(
    readonly sqs: FakeSqs,
    readonly queue: FifoQueue,
    readonly deadLetterQueue: FifoQueue,
    readonly dispatchers: HostPool,
    readonly workers: HostPool,
    private readonly o: FanOutOptions,
  ) {}

  static async start(o: FanOutOptions): Promise<FanOutStage> {
    const sqs = await FakeSqs.start(o.rds.region);
    const visibilityTimeoutMs = o.visibilityTimeoutMs ?? 6 * 900_000;
    const dlq = sqs.createQueue({ name: "stage-dlq.fifo", visibilityTimeoutMs, ...(o.now ? { now: o.now } : {}) });
    const work = sqs.createQueue({
      name: "stage-work.fifo", visibilityTimeoutMs, ...(o.now ? { now: o.now } : {}),
      redrive: { deadLetterQueue: dlq.queue, maxReceiveCount: o.maxReceiveCount ?? 5 },
    });
    const { instances, clusters } = o.settings;
    const extra = { AWS_ENDPOINT_URL_SQS: sqs.endpoint };
    const clock = o.clock ? { clock: o.clock } : {};
    const dispatchers = new HostPool("dispatch", {
      env: childEnv(o.rds, o.s3, { ...dispatchSettingsToEnv({ instances, clusters, queueUrl: work.url }), ...extra }), spec: FAN_OUT, ...clock,
    });
    const workers = new HostPool("worker", { env: childEnv(o.rds, o.s3, settingsToEnv(o.settings)), spec: FAN_OUT, ...clock });
    return new FanOutStage(sqs, work.queue, dlq.queue, dispatchers, workers, o);
  }

  /** One schedule tick: the dispatcher invoked with EventBridge's event for `time`. */
  dispatch(time: string): Promise<DispatchReport> {
    return this.dispatchers.call<DispatchReport>({ ...SCHEDULED_EVENT, time });
  }

  /** Polls the queue with the event source mapping until it is empty. */
  drain(): Promise<DrainStats> {
    const mapping = new EventSourceMapping(this.queue, (event) => this.invokeWorker(event), {
      batchSize: 1,
      maximumConcurrency: this.o.workerConcurrency ?? 3,
      queueArn: "arn:aws:sqs:us-east-1:123456789012:stage-work.fifo",
    });
    return mapping.drain();
  }

  private async invokeWorker(event: SqsLambdaEvent): Promise<unknown> {
    const run: WorkerRun = {
      bodies: event.Records.map((r) => r.body), groups: event.Records.map((r) => r.attributes.MessageGroupId), logs: [], startedAt: performance.now(),
    };
    this.runs.push(run);
    try {
      const invocation = await this.workers.invoke<BatchResponse>(event, { remainingMs: this.o.workerRemainingMs ?? 900_000 });
      run.logs = invocation.logs;
      if (invocation.error) throw Object.assign(new Error(invocation.error.message), { name: invocation.error.name });
      run.response = invocation.result;
      if (this.o.loseDelete && event.Records.some((r) => this.o.loseDelete!(r.body))) throw new Error("the delete was lost");
      return invocation.result;
    } catch (err) {
      if (err instanceof HostExited) run.crashed = err.message;
      throw err;
    } finally {
      run.endedAt = performance.now();
    }
  }

  /** Each worker run's summary line ("sync finished") as a report, for the simulator's totals and failures. */
  reports(runs: WorkerRun[] = this.runs): SyncReport[] {
    return runs.flatMap((run) => run.logs.flatMap((line) => {
      const parsed = parseJson(line);
      if (parsed?.message !== "sync finished") return [];
      const p = parsed as Record<string, any>;
      const failedFiles = run.logs.map(parseJson).filter((l) => l?.message === "failed" && l.file);
      return [{
        bucket: p.bucket, dryRun: false, startedAt: "", finishedAt: "", ok: p.ok, instances: [],
        errors: [...p.errors, ...failedFiles.map((f) => ({ target: f!.instance, code: f!.code ?? "failed", message: `${f!.file}: ${f!.reason}` }))],
        totals: {
          listed: p.listed, copied: p.copied, skipped: p.skipped, archived: p.archived, waiting: p.waiting, excluded: p.excluded,
          deferred: p.deferred, failed: p.failed, bytesRead: p.bytesRead, bytesWritten: p.bytesWritten,
        },
      } satisfies SyncReport];
    }));
  }

  async stop(): Promise<void> {
    await Promise.all([this.dispatchers.stop(), this.workers.stop()]);
    await this.sqs.stop();
  }
}

function parseJson(line: string): Record<string, any> | undefined {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
