/**
 * CloudWatch Logs subscriptions: one subscription filter per configured log group, delivering every log event to
 * a function that writes them, gzip-compressed, under `cloudwatch/<log group>/<YYYY>/<MM>/<DD>/<HH>/`.
 */
import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createLogSubscriptionHandler } from "../archiver/lambda/log-subscription-handler";
import { logSubscriptionSettingsToEnv, stageToEnv } from "../archiver/settings";
import type { AwsTarget } from "./account";
import { EventFunction } from "./event-function";
import { deadLetterQueuePolicy, logSubscriptionFunctionPolicy } from "./policies";
import type { ArchiveFunctionArgs } from "./function-args";

/** The Lambda's entry point, serialized into its `__index.js`; it needs only the S3 client. */
export function logSubscriptionHandlerFactory() {
  return createLogSubscriptionHandler({ s3: require("@aws-sdk/client-s3") });
}

/** An empty filter pattern matches every log event. */
export const FILTER_PATTERN = "";

export interface LogSubscriptionsArgs extends ArchiveFunctionArgs {
  logGroups: string[];
  /** Log groups this stack creates, by name: a subscription to one of them is created after it. */
  stackLogGroups: { name: string; resource: pulumi.Resource }[];
}

export interface Subscription {
  logGroup: string;
  permission: aws.lambda.Permission;
  filter: aws.cloudwatch.LogSubscriptionFilter;
}

/** The ARN CloudWatch Logs invokes the function from, for one log group: `...:log-group:<name>:*`. */
export function logGroupSourceArn(t: AwsTarget, logGroup: string): string {
  return `arn:${t.partition}:logs:${t.region}:${t.accountId}:log-group:${logGroup}:*`;
}

/**
 * A stable, unique resource name and Lambda statement id for a log group: its name with every character a
 * statement id cannot hold turned into `-`, plus a short hash of the exact name (so `/a.b` and `/a-b` differ).
 * Stable across reorderings of the list, so adding a group never replaces the others' resources.
 */
export function subscriptionId(logGroup: string): string {
  const slug = logGroup.replace(/^\/+/, "").replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 60);
  const hash = createHash("sha256").update(logGroup).digest("hex").slice(0, 8);
  return `${slug}-${hash}`;
}

export class LogSubscriptions extends pulumi.ComponentResource {
  readonly fn: aws.lambda.CallbackFunction<unknown, unknown>;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly queuePolicy: aws.sqs.QueuePolicy;
  readonly subscriptions: Subscription[];

  constructor(name: string, args: LogSubscriptionsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rds-log-archiver:index:LogSubscriptions", name, {}, opts);
    const parent = { parent: this };
    const { kmsKeyArn, stage } = args;

    const bucketArn = pulumi.output(args.bucketArn);
    const eventFunction = new EventFunction(name, {
      functionName: args.functionName,
      description: "Archives CloudWatch Logs subscription deliveries to S3",
      environment: pulumi.output(args.bucketName).apply((bucket) => ({ ...logSubscriptionSettingsToEnv({ bucket }), ...stageToEnv(stage) })),
      policy: ({ logGroupArn, deadLetterQueueArn }) =>
        bucketArn.apply((bucket) => logSubscriptionFunctionPolicy({ bucketArn: bucket, logGroupArn, deadLetterQueueArn, kmsKeyArn })),
      callbackFactory: logSubscriptionHandlerFactory,
      // The factory requires the S3 client only: the RDS client and lib-storage stay out of the zip. (Not
      // signature-v4: the S3 client signs with it too, and an excluded package is left out wherever it appears.)
      excludePackages: ["@aws-sdk/client-rds", "@aws-sdk/lib-storage"],
      memorySize: 256,
      timeout: 60,
      logRetentionDays: args.logRetentionDays,
    }, parent);
    ({ fn: this.fn, logGroup: this.logGroup, deadLetterQueue: this.deadLetterQueue } = eventFunction);
    const { fn, deadLetterQueue } = this;

    this.queuePolicy = new aws.sqs.QueuePolicy(name, {
      queueUrl: deadLetterQueue.url,
      policy: deadLetterQueue.arn.apply((arn) => JSON.stringify(deadLetterQueuePolicy(arn))),
    }, parent);

    const target = pulumi.output(args.target);
    this.subscriptions = args.logGroups.map((logGroup) => {
      const id = subscriptionId(logGroup);
      // CloudWatch Logs invokes the function from this log group only.
      const permission = new aws.lambda.Permission(`${name}-${id}`, {
        action: "lambda:InvokeFunction",
        function: fn.name,
        statementId: `logs-${id}`,
        principal: target.apply((t) => `logs.${t.region}.amazonaws.com`),
        sourceArn: target.apply((t) => logGroupSourceArn(t, logGroup)),
      }, parent);
      // CloudWatch Logs tests the destination when the filter is created: the permission must exist first. So must
      // the group: one of the stack's own is passed by name only, which carries no dependency on its resource.
      const ownGroup = args.stackLogGroups.filter((g) => g.name === logGroup).map((g) => g.resource);
      const filter = new aws.cloudwatch.LogSubscriptionFilter(`${name}-${id}`, {
        name: args.functionName,
        logGroup,
        filterPattern: FILTER_PATTERN,
        destinationArn: fn.arn,
      }, { parent: this, dependsOn: [permission, ...ownGroup] });
      return { logGroup, permission, filter };
    });

    this.registerOutputs({ functionName: fn.name, deadLetterQueueUrl: deadLetterQueue.url });
  }
}
