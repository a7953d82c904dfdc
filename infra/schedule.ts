/**
 * The EventBridge schedule that invokes the sync function.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { scheduleIntervalSeconds } from "./config";

export interface SyncScheduleArgs {
  /** An EventBridge schedule expression, already validated: rate(...) or cron(...). */
  scheduleExpression: string;
  /** The rule's name: the sync function's, so every named resource of the stack shares its prefix. */
  ruleName: string;
  functionName: pulumi.Input<string>;
  functionArn: pulumi.Input<string>;
}

export class SyncSchedule extends pulumi.ComponentResource {
  readonly rule: aws.cloudwatch.EventRule;
  readonly target: aws.cloudwatch.EventTarget;
  readonly permission: aws.lambda.Permission;
  readonly invokeConfig: aws.lambda.FunctionEventInvokeConfig;

  constructor(name: string, args: SyncScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rds-log-archiver:index:SyncSchedule", name, {}, opts);
    const parent = { parent: this };

    this.rule = new aws.cloudwatch.EventRule(name, {
      name: args.ruleName,
      description: "Runs the RDS log archiver",
      scheduleExpression: args.scheduleExpression,
    }, parent);

    this.target = new aws.cloudwatch.EventTarget(name, {
      rule: this.rule.name,
      arn: args.functionArn,
    }, parent);

    // Only this rule may invoke the function on EventBridge's behalf.
    this.permission = new aws.lambda.Permission(name, {
      action: "lambda:InvokeFunction",
      function: args.functionName,
      principal: "events.amazonaws.com",
      sourceArn: this.rule.arn,
    }, parent);

    // EventBridge invokes asynchronously. With reserved concurrency 1, a tick that arrives while a run
    // is still busy is throttled and would wait in Lambda's queue for up to 6 hours; the next tick does
    // the same work, so stale ticks are dropped instead, and a failed run is not retried.
    this.invokeConfig = new aws.lambda.FunctionEventInvokeConfig(name, {
      functionName: args.functionName,
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: maximumEventAge(args.scheduleExpression),
    }, parent);

    this.registerOutputs({ ruleArn: this.rule.arn });
  }
}

/** One schedule interval (for cron: one hour), within Lambda's limits of 60 s to 6 h. */
export function maximumEventAge(scheduleExpression: string): number {
  const interval = scheduleIntervalSeconds(scheduleExpression) ?? 3600;
  return Math.min(Math.max(interval, 60), 21600);
}
