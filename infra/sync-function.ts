/**
 * The sync function: the stack's Lambda building block (infra/lambda-function.ts) carrying archiver/'s sync engine.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadAwsSdk } from "../archiver/aws-sdk";
import { createSyncHandler } from "../archiver/lambda/handler";
import { settingsToEnv, stageToEnv, type SyncSettings } from "../archiver/settings";
import { createLambdaFunction } from "./lambda-function";
import { syncFunctionPolicy } from "./policies";
import type { ArchiveFunctionArgs } from "./function-args";

/**
 * The Lambda's entry point, serialized by Pulumi into the function's `__index.js`.
 *
 * A module-level function on purpose: a closure made inside the component's constructor would
 * capture `this`, which cannot be serialized. The SDK is required through loadAwsSdk(), called here
 * once per container, and never captured from module scope (SDK classes do not serialize).
 * `createSyncHandler`, `loadAwsSdk` and the rest of archiver/ are local modules, which the serializer
 * inlines by value.
 */
export function syncHandlerFactory() {
  return createSyncHandler(loadAwsSdk());
}

export interface SyncFunctionArgs extends ArchiveFunctionArgs {
  /** The engine's settings the stack configures; the bucket is the stack's own. */
  settings: Omit<SyncSettings, "bucket" | "dryRun">;
  memorySize: number;
  timeout: number;
}

export class SyncFunction extends pulumi.ComponentResource {
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly role: aws.iam.Role;
  readonly policy: aws.iam.RolePolicy;
  readonly fn: aws.lambda.CallbackFunction<unknown, unknown>;

  constructor(name: string, args: SyncFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rds-log-archiver:index:SyncFunction", name, {}, opts);

    const lambda = createLambdaFunction(name, {
      functionName: args.functionName,
      description: "Archives RDS log files to S3 exactly once",
      roleDescription: `Runs the ${args.functionName} log archiver`,
      policy: (logGroupArn) =>
        pulumi.all([args.target, args.bucketArn]).apply(([target, bucketArn]) =>
          syncFunctionPolicy({
            ...target,
            bucketArn,
            logGroupArn,
            instances: args.settings.instances,
            clusters: args.settings.clusters,
            kmsKeyArn: args.kmsKeyArn,
          }),
        ),
      environment: pulumi
        .output(args.bucketName)
        .apply((bucket) => ({ ...settingsToEnv({ ...args.settings, bucket }), ...stageToEnv(args.stage) })),
      callbackFactory: syncHandlerFactory,
      memorySize: args.memorySize,
      timeout: args.timeout,
      logRetentionDays: args.logRetentionDays,
      // One run at a time: a scheduled run never overlaps the previous one.
      reservedConcurrentExecutions: 1,
    }, this);
    ({ logGroup: this.logGroup, role: this.role, policy: this.policy, fn: this.fn } = lambda);

    this.registerOutputs({ functionName: this.fn.name, functionArn: this.fn.arn });
  }
}
