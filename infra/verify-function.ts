/**
 * The scheduled verify: the stack's Lambda building block carrying archiver/verify, its own read-only role (it
 * writes only its reports), and its EventBridge schedule.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadAwsSdk } from "../archiver/aws-sdk";
import { createVerifyHandler } from "../archiver/lambda/verify-handler";
import { settingsToEnv, stageToEnv, type SyncSettings } from "../archiver/settings";
import type { ArchiveFunctionArgs } from "./function-args";
import { createLambdaFunction } from "./lambda-function";
import { verifyFunctionPolicy } from "./policies";
import { SyncSchedule } from "./schedule";

/** The entry point, serialized into the function's `__index.js`; module-level for the reasons in sync-function.ts. */
export function verifyHandlerFactory() {
  return createVerifyHandler(loadAwsSdk());
}

export interface VerifyFunctionArgs extends ArchiveFunctionArgs {
  /** The archived ids and timeouts, as the sync function has them. */
  settings: Omit<SyncSettings, "bucket" | "dryRun">;
  /** A validated EventBridge schedule expression. */
  schedule: string;
  timeout: number;
}

export class VerifyFunction extends pulumi.ComponentResource {
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly role: aws.iam.Role;
  readonly policy: aws.iam.RolePolicy;
  readonly fn: aws.lambda.CallbackFunction<unknown, unknown>;
  readonly schedule: SyncSchedule;

  constructor(name: string, args: VerifyFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rds-log-archiver:index:VerifyFunction", name, {}, opts);
    const lambda = createLambdaFunction(name, {
      functionName: args.functionName,
      description: "Verifies the RDS log archive: nothing missing, nothing changed",
      roleDescription: `Runs the ${args.functionName} archive verification`,
      policy: (logGroupArn) =>
        pulumi.all([args.target, args.bucketArn]).apply(([target, bucketArn]) =>
          verifyFunctionPolicy({
            ...target, bucketArn, logGroupArn, instances: args.settings.instances, clusters: args.settings.clusters, kmsKeyArn: args.kmsKeyArn,
          }),
        ),
      environment: pulumi.output(args.bucketName).apply((bucket) => ({ ...settingsToEnv({ ...args.settings, bucket }), ...stageToEnv(args.stage) })),
      callbackFactory: verifyHandlerFactory,
      memorySize: 256,
      timeout: args.timeout,
      logRetentionDays: args.logRetentionDays,
      reservedConcurrentExecutions: 1,
    }, this);
    ({ logGroup: this.logGroup, role: this.role, policy: this.policy, fn: this.fn } = lambda);
    this.schedule = new SyncSchedule(name, {
      scheduleExpression: args.schedule, ruleName: args.functionName, functionName: this.fn.name, functionArn: this.fn.arn,
    }, { parent: this });
    this.registerOutputs({ functionName: this.fn.name });
  }
}
