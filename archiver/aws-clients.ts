/**
 * SDK clients built from the standard AWS settings in `env`: AWS_REGION or the profile's region, the
 * credential chain (static keys, AWS_PROFILE, container and instance roles), AWS_ENDPOINT_URL[_RDS|_S3],
 * and the checksum variables. `env` is process.env in the CLI and the Lambda; tests pass their own.
 */
import type { RDSClient } from "@aws-sdk/client-rds";
import type { S3Client } from "@aws-sdk/client-s3";
import { regionFromEnv, resolveRegion } from "./aws-region";
import type { AwsSdk } from "./aws-sdk";
import { DEFAULTS, type SyncSettings } from "./settings";

export interface AwsClients {
  sdk: AwsSdk;
  rds: RDSClient;
  s3: S3Client;
  region: string;
  /** Base URL of the RDS endpoint, also used for the REST log download. */
  rdsEndpoint: URL;
  timeouts: Timeouts;
}

/** How long any request may wait for a connection, and for the next byte on an open one. */
export interface Timeouts {
  connectMs: number;
  readMs: number;
}

export function timeoutsOf(s: Pick<SyncSettings, "connectTimeoutSeconds" | "readTimeoutSeconds">): Timeouts {
  return { connectMs: Math.round(s.connectTimeoutSeconds * 1000), readMs: Math.round(s.readTimeoutSeconds * 1000) };
}

export const DEFAULT_TIMEOUTS: Timeouts = timeoutsOf(DEFAULTS);

type ChecksumSetting = "WHEN_SUPPORTED" | "WHEN_REQUIRED";

/** Rejects, naming what to set, when no region is found. */
export async function createClients(sdk: AwsSdk, env: NodeJS.ProcessEnv, timeouts: Timeouts = DEFAULT_TIMEOUTS): Promise<AwsClients> {
  const region = await resolveRegion(sdk, env);
  const rdsOverride = env.AWS_ENDPOINT_URL_RDS || env.AWS_ENDPOINT_URL;
  const rds = new sdk.rds.RDSClient({ ...sharedConfig(env, timeouts), region, ...(rdsOverride ? { endpoint: rdsOverride } : {}) });
  nameEndpointOnTimeout(rds);
  return {
    sdk, rds, s3: createS3Client(sdk, env, timeouts, region), region, rdsEndpoint: new URL(rdsOverride || defaultRdsEndpoint(region)), timeouts,
  };
}

/**
 * An S3 client alone, for the functions that only write to the bucket. Without a region from `env` or
 * the caller, the client resolves it from the profile itself.
 */
export function createS3Client(
  sdk: Pick<AwsSdk, "s3">,
  env: NodeJS.ProcessEnv,
  timeouts: Timeouts = DEFAULT_TIMEOUTS,
  region = regionFromEnv(env),
): S3Client {
  const s3Override = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  const s3 = new sdk.s3.S3Client({
    ...sharedConfig(env, timeouts),
    ...(region ? { region } : {}),
    maxAttempts: 4,
    ...(s3Override ? { endpoint: s3Override, forcePathStyle: true } : {}),
    ...checksumSetting("requestChecksumCalculation", env.AWS_REQUEST_CHECKSUM_CALCULATION),
    ...checksumSetting("responseChecksumValidation", env.AWS_RESPONSE_CHECKSUM_VALIDATION),
  });
  nameEndpointOnTimeout(s3);
  return s3;
}

function sharedConfig(env: NodeJS.ProcessEnv, timeouts: Timeouts) {
  return {
    // Options rather than a NodeHttpHandler: the SDK builds its handler from them, and no SDK class is imported here.
    requestHandler: { connectionTimeout: timeouts.connectMs, socketTimeout: timeouts.readMs },
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

type Middleware = (next: (args: { request: unknown }) => Promise<unknown>) => (args: { request: unknown }) => Promise<unknown>;

/** A timed-out request's error names the endpoint that did not answer. */
function nameEndpointOnTimeout(client: RDSClient | S3Client): void {
  const stack = client.middlewareStack as unknown as { add(m: Middleware, o: { step: string; priority: string; name: string }): void };
  stack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        const e = err as { name?: unknown; message?: unknown };
        const { hostname, port } = (args.request ?? {}) as { hostname?: string; port?: number };
        if (e && e.name === "TimeoutError" && typeof e.message === "string" && hostname) {
          e.message = `${hostname}${port ? `:${port}` : ""}: ${e.message.replace(/^@smithy\/node-http-handler - /, "")}`;
        }
        throw err;
      }
    },
    { step: "finalizeRequest", priority: "low", name: "nameEndpointOnTimeout" },
  );
}

function checksumSetting(option: string, value: string | undefined): Record<string, ChecksumSetting> {
  const v = value?.toUpperCase();
  return v === "WHEN_SUPPORTED" || v === "WHEN_REQUIRED" ? { [option]: v } : {};
}

function defaultRdsEndpoint(region: string): string {
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://rds.${region}.${suffix}`;
}
