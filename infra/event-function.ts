/**
 * A small event-driven CallbackFunction and what it needs to run on its own: its role and inline policy, its
 * log group, and a dead-letter queue for the asynchronous invocations it failed. Used by the RDS events archive
 * (infra/rds-events.ts) and the CloudWatch Logs subscriptions (infra/log-subscriptions.ts); each wires its own
 * trigger to `fn`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createLambdaFunction, type LambdaFunctionArgs } from "./lambda-function";
import type { PolicyDocument } from "./policies";

/** SQS's longest retention: a dead letter waits two weeks for someone to look at it. */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * Lambda's asynchronous retries before a failed invocation goes to the dead-letter queue: the defaults, written
 * out. The handlers are idempotent (same payload, same keys), so a retry never duplicates an object.
 */
export const ASYNC_RETRY_ATTEMPTS = 2;
export const ASYNC_MAXIMUM_EVENT_AGE_SECONDS = 6 * 3600;

export interface EventFunctionArgs extends Omit<LambdaFunctionArgs, "policy" | "roleDescription" | "reservedConcurrentExecutions"> {
  /** The role's inline policy, given the function's log group and dead-letter queue ARNs. */
  policy: (arns: { logGroupArn: string; deadLetterQueueArn: string }) => pulumi.Input<PolicyDocument>;
}

export class EventFunction extends pulumi.ComponentResource {
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly role: aws.iam.Role;
  readonly policy: aws.iam.RolePolicy;
  readonly fn: aws.lambda.CallbackFunction<unknown, unknown>;
  readonly invokeConfig: aws.lambda.FunctionEventInvokeConfig;

  constructor(name: string, args: EventFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rds-log-archiver:index:EventFunction", name, {}, opts);
    const parent = { parent: this };

    this.deadLetterQueue = new aws.sqs.Queue(name, {
      name: `${args.functionName}-dlq`,
      messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
      sqsManagedSseEnabled: true,
    }, parent);

    const deadLetterQueueArn = this.deadLetterQueue.arn;
    const policy = args.policy;
    const lambda = createLambdaFunction(name, {
      ...args,
      roleDescription: `Runs ${args.functionName}`,
      policy: (logGroupArn) => deadLetterQueueArn.apply((dlqArn) => pulumi.output(policy({ logGroupArn, deadLetterQueueArn: dlqArn }))),
    }, this);
    ({ logGroup: this.logGroup, role: this.role, policy: this.policy, fn: this.fn } = lambda);

    // After the policy: Lambda checks that the role may send to the destination when the config is written.
    this.invokeConfig = new aws.lambda.FunctionEventInvokeConfig(name, {
      functionName: this.fn.name,
      maximumRetryAttempts: ASYNC_RETRY_ATTEMPTS,
      maximumEventAgeInSeconds: ASYNC_MAXIMUM_EVENT_AGE_SECONDS,
      destinationConfig: { onFailure: { destination: this.deadLetterQueue.arn } },
    }, { parent: this, dependsOn: [this.policy] });

    this.registerOutputs({ functionName: this.fn.name, deadLetterQueueUrl: this.deadLetterQueue.url });
  }
}
