import type * as pulumi from "@pulumi/pulumi";
import type { AwsTarget } from "./account";

/** What each of the stack's functions is given: its name, the stage, the account and region, and the bucket. */
export interface ArchiveFunctionArgs {
  /** The Lambda function's name; its log group is `/aws/lambda/<functionName>`. */
  functionName: string;
  /** The stage (stack) name, passed to the engine for its metrics. */
  stage: string;
  target: pulumi.Input<AwsTarget>;
  bucketName: pulumi.Input<string>;
  bucketArn: pulumi.Input<string>;
  /** Empty when the bucket uses SSE-S3. */
  kmsKeyArn: string;
  logRetentionDays: number;
}
