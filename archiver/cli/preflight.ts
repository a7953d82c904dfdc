/**
 * The checks before a command reads or writes anything, each failure one line saying what to fix: the bucket
 * name against S3's rules, the endpoint overrides, the region, the credentials, and one HeadBucket (the bucket
 * exists, is in this region, and these credentials may use it). A command that fails one exits "could not start".
 */
import { createClients, type AwsClients, type Timeouts } from "../aws-clients";
import { endpointProblems } from "../aws-endpoints";
import type { AwsSdk } from "../aws-sdk";
import { errorCode, errorMessage } from "../errors";
import { bucketNameProblem } from "../s3/bucket-name";

export interface PreflightInput {
  sdk: AwsSdk;
  /** The AWS settings with the command line's --region and --profile applied (awsEnv). */
  env: NodeJS.ProcessEnv;
  bucket: string;
  timeouts: Timeouts;
  /** The option that named the bucket, for the message. */
  bucketOption?: string;
}

/** One line saying why the command cannot start, or undefined when it can. */
export async function preflight(input: PreflightInput): Promise<string | undefined> {
  const { sdk, env, bucket } = input;
  const nameProblem = bucketNameProblem(bucket);
  if (nameProblem) return `${input.bucketOption ?? "--bucket"}: ${nameProblem}`;
  const [endpoint] = endpointProblems(env);
  if (endpoint) return endpoint;

  let aws: AwsClients;
  try {
    aws = await createClients(sdk, env, input.timeouts);
  } catch (err) {
    if (errorCode(err) === "NoRegion") return `${errorMessage(err)}, or pass --region`;
    return errorMessage(err);
  }
  try {
    try {
      await aws.s3.config.credentials();
    } catch (err) {
      return noCredentials(env, err);
    }
    return await headBucket(aws, bucket);
  } finally {
    aws.rds.destroy();
    aws.s3.destroy();
  }
}

function noCredentials(env: NodeJS.ProcessEnv, err: unknown): string {
  const profile = env.AWS_PROFILE;
  const detail = errorMessage(err).split("\n")[0];
  if (profile) return `no AWS credentials for the profile "${profile}": ${detail}; check it in ~/.aws/config and ~/.aws/credentials, or run aws sso login --profile ${profile}`;
  return `no AWS credentials found: pass --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws configure`;
}

/** HeadBucket has no body: its status code is all there is to go on. */
async function headBucket(aws: AwsClients, bucket: string): Promise<string | undefined> {
  try {
    await aws.s3.send(new aws.sdk.s3.HeadBucketCommand({ Bucket: bucket }));
    return undefined;
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string> } };
    const status = e.$metadata?.httpStatusCode;
    const bucketRegion = e.$response?.headers?.["x-amz-bucket-region"];
    if (bucketRegion && bucketRegion !== aws.region) {
      return `the bucket ${bucket} is in ${bucketRegion}, not ${aws.region}: pass --region ${bucketRegion}`;
    }
    if (status === 404 || e.name === "NotFound" || e.name === "NoSuchBucket") {
      return `the bucket ${bucket} does not exist in ${aws.region}: check --bucket (the stack output bucketName names it) and --region`;
    }
    if (status === 403 || e.name === "Forbidden" || e.name === "AccessDenied") {
      return (
        `access denied on the bucket ${bucket} (HeadBucket: 403): these credentials lack s3:ListBucket on it, ` +
        `or are invalid or expired; check --profile and the role's policy`
      );
    }
    return `could not reach the bucket ${bucket}: ${errorCode(err)}: ${errorMessage(err)}`;
  }
}
