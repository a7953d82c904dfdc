/**
 * The RDS events archive: an EventBridge rule for RDS instance and cluster events, the function that writes each
 * event to `events/<YYYY>/<MM>/<DD>/<HH>/<event id>.json`, and a dead-letter queue for what cannot be delivered.
 *
 * The rule matches every instance and cluster event of the account and region; the function keeps the stage's
 * own (see docs/deploying.md, "RDS events"): an event pattern is fixed at deploy time, but an Aurora cluster's
 * members are not, so the ids are checked by the function, which resolves the members at run time.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadAwsSdk } from "../archiver/aws-sdk";
import { createRdsEventsHandler } from "../archiver/lambda/rds-events-handler";
import { rdsEventsSettingsToEnv, stageToEnv } from "../archiver/settings";
import { EventFunction } from "./event-function";
import { eventsDeadLetterQueuePolicy, rdsEventsFunctionPolicy } from "./policies";
import type { ArchiveFunctionArgs } from "./function-args";

/**
 * The Lambda's entry point, serialized into its `__index.js`. Module-level (no `this`), and the SDK is loaded
 * here, once per container, as in infra/sync-function.ts.
 */
export function rdsEventsHandlerFactory() {
  return createRdsEventsHandler(loadAwsSdk());
}

/**
 * The RDS event types EventBridge delivers whose SourceIdentifier is a DB instance or cluster id, the only ids
 * the function can attribute to a stage. Snapshot, parameter group, security group, proxy, blue/green, shard
 * group, custom engine version and zero-ETL events carry other ids (a snapshot's name, a group's name), so they
 * are not matched: the function would discard every one of them. Parameter changes applied to a database, as
 * well as failovers, reboots and storage-full warnings, arrive as instance or cluster events.
 */
export const RDS_EVENT_DETAIL_TYPES = ["RDS DB Instance Event", "RDS DB Cluster Event"] as const;

export function rdsEventPattern(): { source: string[]; "detail-type": string[] } {
  return { source: ["aws.rds"], "detail-type": [...RDS_EVENT_DETAIL_TYPES] };
}

/**
 * EventBridge's delivery retries to the function (the service defaults, written out): 24 hours, up to 185
 * attempts. What still cannot be delivered goes to the dead-letter queue.
 */
export const TARGET_RETRY_POLICY = { maximumEventAgeInSeconds: 24 * 3600, maximumRetryAttempts: 185 } as const;

export interface RdsEventsArgs extends ArchiveFunctionArgs {
  instances: string[];
  clusters: string[];
}

export class RdsEvents extends pulumi.ComponentResource {
  readonly fn: aws.lambda.CallbackFunction<unknown, unknown>;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly rule: aws.cloudwatch.EventRule;
  readonly queuePolicy: aws.sqs.QueuePolicy;
  readonly target: aws.cloudwatch.EventTarget;
  readonly permission: aws.lambda.Permission;

  constructor(name: string, args: RdsEventsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rds-log-archiver:index:RdsEvents", name, {}, opts);
    const parent = { parent: this };
    const { instances, clusters, kmsKeyArn, stage } = args;

    const target = pulumi.output(args.target);
    const bucketArn = pulumi.output(args.bucketArn);
    const eventFunction = new EventFunction(name, {
      functionName: args.functionName,
      description: "Archives the stage's RDS events to S3",
      environment: pulumi.output(args.bucketName).apply((bucket) => ({ ...rdsEventsSettingsToEnv({ bucket, instances, clusters }), ...stageToEnv(stage) })),
      policy: ({ logGroupArn, deadLetterQueueArn }) =>
        pulumi.all([target, bucketArn]).apply(([t, bucket]) =>
          rdsEventsFunctionPolicy({ ...t, bucketArn: bucket, logGroupArn, deadLetterQueueArn, kmsKeyArn, clusters }),
        ),
      callbackFactory: rdsEventsHandlerFactory,
      memorySize: 256,
      timeout: 30,
      logRetentionDays: args.logRetentionDays,
    }, parent);
    ({ fn: this.fn, logGroup: this.logGroup, deadLetterQueue: this.deadLetterQueue } = eventFunction);
    const { fn, deadLetterQueue } = this;

    this.rule = new aws.cloudwatch.EventRule(name, {
      name: args.functionName,
      description: `RDS instance and cluster events, archived by ${args.functionName}`,
      eventPattern: JSON.stringify(rdsEventPattern()),
    }, parent);

    this.queuePolicy = new aws.sqs.QueuePolicy(name, {
      queueUrl: deadLetterQueue.url,
      policy: pulumi.all([deadLetterQueue.arn, this.rule.arn]).apply(([queueArn, ruleArn]) =>
        JSON.stringify(eventsDeadLetterQueuePolicy(queueArn, ruleArn)),
      ),
    }, parent);

    // Only this rule may invoke the function on EventBridge's behalf.
    this.permission = new aws.lambda.Permission(name, {
      action: "lambda:InvokeFunction",
      function: fn.name,
      principal: "events.amazonaws.com",
      sourceArn: this.rule.arn,
    }, parent);

    this.target = new aws.cloudwatch.EventTarget(name, {
      rule: this.rule.name,
      arn: fn.arn,
      retryPolicy: { ...TARGET_RETRY_POLICY },
      deadLetterConfig: { arn: deadLetterQueue.arn },
    }, { parent: this, dependsOn: [this.permission, this.queuePolicy] });

    this.registerOutputs({ ruleArn: this.rule.arn, deadLetterQueueUrl: deadLetterQueue.url });
  }
}
