/**
 * The sync function: its role, its log group, and the CallbackFunction that carries archiver/.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadAwsSdk } from "../archiver/aws-sdk";
import { createHandler } from "../archiver/lambda/handler";
import { settingsToEnv, stageToEnv, type SyncSettings } from "../archiver/settings";
import { lambdaAssumeRolePolicy, syncFunctionPolicy } from "./policies";
import type { ArchiveFunctionArgs } from "./function-args";

/**
 * The Lambda's entry point, serialized by Pulumi into the function's `__index.js`.
 *
 * A module-level function on purpose: a closure made inside the component's constructor would
 * capture `this`, which cannot be serialized. The SDK is required through loadAwsSdk(), called here
 * once per container, and never captured from module scope (SDK classes do not serialize).
 * `createHandler`, `loadAwsSdk` and the rest of archiver/ are local modules, which the serializer
 * inlines by value.
 */
export function syncHandlerFactory() {
  return createHandler(loadAwsSdk());
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
    const parent = { parent: this };

    // Created before the function, so Lambda never creates it (without retention) on first run.
    // The name is fixed by the function name, so role policy, log group and function form no cycle.
    this.logGroup = new aws.cloudwatch.LogGroup(name, {
      name: `/aws/lambda/${args.functionName}`,
      retentionInDays: args.logRetentionDays,
    }, parent);

    // Named after the function, like every named resource of the stack: the CI deploy role is scoped by that prefix.
    this.role = new aws.iam.Role(name, {
      name: args.functionName,
      description: `Runs the ${args.functionName} log archiver`,
      assumeRolePolicy: JSON.stringify(lambdaAssumeRolePolicy()),
    }, parent);

    this.policy = new aws.iam.RolePolicy(name, {
      role: this.role.id,
      policy: pulumi
        .all([args.target, args.bucketArn, this.logGroup.arn])
        .apply(([target, bucketArn, logGroupArn]) =>
          JSON.stringify(syncFunctionPolicy({
            ...target,
            bucketArn,
            logGroupArn,
            instances: args.settings.instances,
            clusters: args.settings.clusters,
            kmsKeyArn: args.kmsKeyArn,
          })),
        ),
    }, parent);

    this.fn = new aws.lambda.CallbackFunction(name, {
      name: args.functionName,
      description: "Archives RDS log files to S3 exactly once",
      runtime: aws.lambda.Runtime.NodeJS22dX,
      architectures: ["arm64"],
      role: this.role,
      memorySize: args.memorySize,
      timeout: args.timeout,
      // One run at a time: a scheduled run never overlaps the previous one.
      reservedConcurrentExecutions: 1,
      environment: {
        variables: pulumi
          .output(args.bucketName)
          .apply((bucket) => ({ ...settingsToEnv({ ...args.settings, bucket }), ...stageToEnv(args.stage) })),
      },
      loggingConfig: { logFormat: "Text", logGroup: this.logGroup.name },
      callbackFactory: syncHandlerFactory,
    }, { parent: this, dependsOn: [this.policy, this.logGroup] });

    this.registerOutputs({ functionName: this.fn.name, functionArn: this.fn.arn });
  }
}
