/**
 * A small event-driven CallbackFunction and what it needs to run on its own: its role and inline policy, its
 * log group, and a dead-letter queue for the asynchronous invocations it failed. Used by the RDS events archive
 * (infra/rds-events.ts) and the CloudWatch Logs subscriptions (infra/log-subscriptions.ts); each wires its own
 * trigger to `fn`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument } from "./policies";
import { lambdaAssumeRolePolicy } from "./policies";

/** SQS's longest retention: a dead letter waits two weeks for someone to look at it. */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * Lambda's asynchronous retries before a failed invocation goes to the dead-letter queue: the defaults, written
 * out. The handlers are idempotent (same payload, same keys), so a retry never duplicates an object.
 */
export const ASYNC_RETRY_ATTEMPTS = 2;
export const ASYNC_MAXIMUM_EVENT_AGE_SECONDS = 6 * 3600;

export interface EventFunctionArgs {
  /** The Lambda function's name; its log group is `/aws/lambda/<functionName>`. */
  functionName: string;
  description: string;
  /** The environment the handler reads. */
  environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** The role's inline policy, given the function's log group and dead-letter queue ARNs. */
  policy: (arns: { logGroupArn: string; deadLetterQueueArn: string }) => pulumi.Input<PolicyDocument>;
  /** A module-level factory that requires the SDK itself and returns the handler (see infra/sync-function.ts). */
  callbackFactory: () => (event: any, context: any) => Promise<unknown>;
  /** Runtime packages the handler never requires, left out of its zip (with what only they depend on). */
  excludePackages?: string[];
  memorySize: number;
  timeout: number;
  logRetentionDays: number;
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

    this.logGroup = new aws.cloudwatch.LogGroup(name, {
      name: `/aws/lambda/${args.functionName}`,
      retentionInDays: args.logRetentionDays,
    }, parent);

    this.role = new aws.iam.Role(name, {
      name: args.functionName,
      description: `Runs ${args.functionName}`,
      assumeRolePolicy: JSON.stringify(lambdaAssumeRolePolicy()),
    }, parent);

    const policy = args.policy;
    this.policy = new aws.iam.RolePolicy(name, {
      role: this.role.id,
      policy: pulumi
        .all([this.logGroup.arn, this.deadLetterQueue.arn])
        .apply(([logGroupArn, deadLetterQueueArn]) => pulumi.output(policy({ logGroupArn, deadLetterQueueArn })))
        .apply((doc) => JSON.stringify(doc)),
    }, parent);

    this.fn = new aws.lambda.CallbackFunction(name, {
      name: args.functionName,
      description: args.description,
      runtime: aws.lambda.Runtime.NodeJS22dX,
      architectures: ["arm64"],
      role: this.role,
      memorySize: args.memorySize,
      timeout: args.timeout,
      environment: { variables: args.environment },
      loggingConfig: { logFormat: "Text", logGroup: this.logGroup.name },
      callbackFactory: args.callbackFactory,
      ...(args.excludePackages?.length ? { codePathOptions: { extraExcludePackages: args.excludePackages } } : {}),
    }, { parent: this, dependsOn: [this.policy, this.logGroup] });

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
