/**
 * Fan-out (stack setting fanOut): the schedule invokes a dispatcher, which puts one message per instance on an
 * SQS FIFO queue, grouped by instance; an event source mapping hands the messages to worker functions, at most
 * workerConcurrency at once, each syncing one instance with the engine. SQS delivers nothing more of a group while
 * one of its messages is in flight, so an instance is never synced by two workers at once. It replaces the single
 * sync function of the stack (docs/deploying.md, "Fan-out").
 *
 *   queue            <prefix>-work.fifo, SQS-managed encryption, visibility timeout >= 6 x the worker's timeout
 *   dead letters     <prefix>-dlq.fifo, after MAX_RECEIVE_COUNT receives (an unreadable message, a worker that
 *                    dies on the instance every time)
 *   dispatcher       <prefix>-dispatch: sqs:SendMessage on the queue, rds:DescribeDBClusters on the clusters
 *   worker           <prefix>-worker: receive and delete on the queue, and the sync function's access
 *   mapping          batch size 1, ReportBatchItemFailures, maximum concurrency from the stack
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadAwsSdk } from "../archiver/aws-sdk";
import { createDispatchHandler } from "../archiver/lambda/dispatch-handler";
import { createWorkerHandler } from "../archiver/lambda/worker-handler";
import { dispatchSettingsToEnv, settingsToEnv, stageToEnv, type SyncSettings } from "../archiver/settings";
import { dispatcherPolicy, workerPolicy } from "./fan-out-policies";
import type { ArchiveFunctionArgs } from "./function-args";
import { createLambdaFunction, type LambdaFunction } from "./lambda-function";

/** The serialized entry points: module-level, the SDK loaded once per container (as infra/sync-function.ts). */
export function dispatchHandlerFactory() {
  return createDispatchHandler(loadAwsSdk());
}

export function workerHandlerFactory() {
  return createWorkerHandler(loadAwsSdk());
}

/** Receives of one message before it moves to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;
/** One instance per invocation: a message's whole invocation time goes to its instance. */
export const WORKER_BATCH_SIZE = 1;
/** The dispatcher lists clusters and sends a few batches: small and short. */
export const DISPATCHER = { memorySize: 256, timeout: 300 } as const;
/** SQS keeps a dead letter this long (its maximum), for a look at it and a replay. */
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

export interface FanOutArgs extends ArchiveFunctionArgs {
  /** `functionName` is the stack's prefix; the dispatcher and worker names add `-dispatch` and `-worker`. */
  dispatcherName: string;
  workerName: string;
  settings: Omit<SyncSettings, "bucket" | "dryRun">;
  workerMemorySize: number;
  workerTimeout: number;
  workerConcurrency: number;
  visibilityTimeoutSeconds: number;
  /** The schedule interval: a message older than this has waited a whole tick. */
  intervalSeconds: number;
}

export class FanOut extends pulumi.ComponentResource {
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly dispatcher: LambdaFunction;
  readonly worker: LambdaFunction;
  readonly eventSourceMapping: aws.lambda.EventSourceMapping;
  /** The scheduled function (the dispatcher) and its log group, where the single sync function's would be. */
  readonly fn: aws.lambda.CallbackFunction<unknown, unknown>;
  readonly logGroup: aws.cloudwatch.LogGroup;
  /** The log groups of both functions, by name (for a stage that subscribes its own groups). */
  readonly stackLogGroups: { name: string; resource: aws.cloudwatch.LogGroup }[];

  constructor(name: string, args: FanOutArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rds-log-archiver:index:FanOut", name, {}, opts);
    const parent = { parent: this };
    const prefix = args.functionName;
    const { instances, clusters } = args.settings;

    this.deadLetterQueue = new aws.sqs.Queue(`${name}-dead-letters`, {
      name: `${prefix}-dlq.fifo`,
      fifoQueue: true,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
    }, parent);

    this.queue = new aws.sqs.Queue(name, {
      name: `${prefix}-work.fifo`,
      fifoQueue: true,
      // Deduplication by the id the dispatcher derives from instance and tick, across the queue.
      contentBasedDeduplication: false,
      deduplicationScope: "queue",
      fifoThroughputLimit: "perQueue",
      sqsManagedSseEnabled: true,
      visibilityTimeoutSeconds: args.visibilityTimeoutSeconds,
      // A message older than a few ticks is superseded by the newer ones of its group.
      messageRetentionSeconds: Math.max(3600, Math.min(14 * 24 * 3600, 12 * args.intervalSeconds)),
      redrivePolicy: this.deadLetterQueue.arn.apply((deadLetterTargetArn) => JSON.stringify({ deadLetterTargetArn, maxReceiveCount: MAX_RECEIVE_COUNT })),
    }, parent);

    const target = pulumi.output(args.target);
    const bucketArn = pulumi.output(args.bucketArn);
    const queueArn = this.queue.arn;

    this.dispatcher = createLambdaFunction("dispatch", {
      functionName: args.dispatcherName,
      description: "Puts one message per RDS instance on the archiver's work queue",
      roleDescription: `Runs the ${args.dispatcherName} dispatcher`,
      policy: (logGroupArn) =>
        pulumi.all([target, queueArn]).apply(([t, queue]) => dispatcherPolicy({ ...t, clusters, logGroupArn, queueArn: queue })),
      environment: this.queue.url.apply((queueUrl) => ({ ...dispatchSettingsToEnv({ instances, clusters, queueUrl }), ...stageToEnv(args.stage) })),
      callbackFactory: dispatchHandlerFactory,
      memorySize: DISPATCHER.memorySize,
      timeout: DISPATCHER.timeout,
      logRetentionDays: args.logRetentionDays,
      // One tick at a time; a late second one is harmless anyway (deduplication).
      reservedConcurrentExecutions: 1,
    }, this);

    this.worker = createLambdaFunction("worker", {
      functionName: args.workerName,
      description: "Archives the RDS log files of one instance per message to S3 exactly once",
      roleDescription: `Runs the ${args.workerName} log archiver`,
      policy: (logGroupArn) =>
        pulumi.all([target, bucketArn, queueArn]).apply(([t, bucket, queue]) =>
          workerPolicy({ ...t, bucketArn: bucket, logGroupArn, instances, clusters, kmsKeyArn: args.kmsKeyArn, queueArn: queue }),
        ),
      environment: pulumi
        .output(args.bucketName)
        .apply((bucket) => ({ ...settingsToEnv({ ...args.settings, bucket }), ...stageToEnv(args.stage) })),
      callbackFactory: workerHandlerFactory,
      memorySize: args.workerMemorySize,
      timeout: args.workerTimeout,
      logRetentionDays: args.logRetentionDays,
    }, this);

    this.eventSourceMapping = new aws.lambda.EventSourceMapping(name, {
      eventSourceArn: queueArn,
      functionName: this.worker.fn.arn,
      batchSize: WORKER_BATCH_SIZE,
      scalingConfig: { maximumConcurrency: args.workerConcurrency },
      functionResponseTypes: ["ReportBatchItemFailures"],
    }, { parent: this, dependsOn: [this.worker.policy] });

    ({ fn: this.fn, logGroup: this.logGroup } = this.dispatcher);
    this.stackLogGroups = [
      { name: `/aws/lambda/${args.dispatcherName}`, resource: this.dispatcher.logGroup },
      { name: `/aws/lambda/${args.workerName}`, resource: this.worker.logGroup },
    ];
    this.registerOutputs({ queueUrl: this.queue.url, deadLetterQueueUrl: this.deadLetterQueue.url, workerName: this.worker.fn.name });
  }
}
