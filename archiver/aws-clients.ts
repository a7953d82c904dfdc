/**
 * SDK clients built from the standard AWS settings in `env`: AWS_REGION or the profile's region, the
 * credential chain (static keys, AWS_PROFILE, container and instance roles), AWS_ENDPOINT_URL[_RDS|_S3],
 * and the checksum variables. `env` is process.env in the CLI and the Lambda; tests pass their own.
 */
import type { RDSClient } from "@aws-sdk/client-rds";
import type { S3Client } from "@aws-sdk/client-s3";
import { regionFromEnv, resolveRegion } from "./aws-region";
import type { AwsSdk } from "./aws-sdk";

export interface AwsClients {
  sdk: AwsSdk;
  rds: RDSClient;
  s3: S3Client;
  region: string;
  /** Base URL of the RDS endpoint, also used for the REST log download. */
  rdsEndpoint: URL;
}

type ChecksumSetting = "WHEN_SUPPORTED" | "WHEN_REQUIRED";

/** Rejects, naming what to set, when no region is found. */
export async function createClients(sdk: AwsSdk, env: NodeJS.ProcessEnv): Promise<AwsClients> {
  const region = await resolveRegion(sdk, env);
  const rdsOverride = env.AWS_ENDPOINT_URL_RDS || env.AWS_ENDPOINT_URL;
  const rds = new sdk.rds.RDSClient({ ...sharedConfig(env), region, ...(rdsOverride ? { endpoint: rdsOverride } : {}) });
  return { sdk, rds, s3: createS3Client(sdk, env, region), region, rdsEndpoint: new URL(rdsOverride || defaultRdsEndpoint(region)) };
}

/**
 * An S3 client alone, for the functions that only write to the bucket. Without a region from `env` or
 * the caller, the client resolves it from the profile itself.
 */
export function createS3Client(sdk: Pick<AwsSdk, "s3">, env: NodeJS.ProcessEnv, region = regionFromEnv(env)): S3Client {
  const s3Override = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  return new sdk.s3.S3Client({
    ...sharedConfig(env),
    ...(region ? { region } : {}),
    maxAttempts: 4,
    ...(s3Override ? { endpoint: s3Override, forcePathStyle: true } : {}),
    ...checksumSetting("requestChecksumCalculation", env.AWS_REQUEST_CHECKSUM_CALCULATION),
    ...checksumSetting("responseChecksumValidation", env.AWS_RESPONSE_CHECKSUM_VALIDATION),
  });
}

function sharedConfig(env: NodeJS.ProcessEnv) {
  return {
    // Retries are ours (sync/retry.ts), so that throttling backs off the same way for every call.
    maxAttempts: 1,
    ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          },
        }
      : env.AWS_PROFILE
        ? { profile: env.AWS_PROFILE }
        : {}),
  };
}

function checksumSetting(option: string, value: string | undefined): Record<string, ChecksumSetting> {
  const v = value?.toUpperCase();
  return v === "WHEN_SUPPORTED" || v === "WHEN_REQUIRED" ? { [option]: v } : {};
}

function defaultRdsEndpoint(region: string): string {
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://rds.${region}.${suffix}`;
}
