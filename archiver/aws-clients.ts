/**
 * SDK clients built from the standard AWS settings in `env`: AWS_REGION or the profile's region, the
 * credential chain (static keys, AWS_PROFILE, container and instance roles), AWS_ENDPOINT_URL[_RDS|_S3],
 * and the checksum variables. `env` is process.env in the CLI and the Lambda; tests pass their own.
 */
import type { RDSClient } from "@aws-sdk/client-rds";
import type { S3Client } from "@aws-sdk/client-s3";
import { endpointOverride, endpointProblem, type EndpointOverride, type EndpointService } from "./aws-endpoints";
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
  const rdsOverride = checkedOverride(env, "RDS");
  const region = await resolveRegion(sdk, env);
  const rds = new sdk.rds.RDSClient({ ...sharedConfig(env, timeouts), region, ...(rdsOverride ? { endpoint: rdsOverride.url } : {}) });
  nameEndpointOnFailure(rds, rdsOverride);
  return {
    sdk, rds, s3: createS3Client(sdk, env, timeouts, region), region, rdsEndpoint: new URL(rdsOverride?.url || defaultRdsEndpoint(region)), timeouts,
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
  const s3Override = checkedOverride(env, "S3");
  const s3 = new sdk.s3.S3Client({
    ...sharedConfig(env, timeouts),
    ...(region ? { region } : {}),
    maxAttempts: 4,
    ...(s3Override ? { endpoint: s3Override.url, forcePathStyle: true } : {}),
    ...checksumSetting("requestChecksumCalculation", env.AWS_REQUEST_CHECKSUM_CALCULATION),
    ...checksumSetting("responseChecksumValidation", env.AWS_RESPONSE_CHECKSUM_VALIDATION),
  });
  nameEndpointOnFailure(s3, s3Override);
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

/** An endpoint override, refused with a message naming its variable when it is not a URL. */
function checkedOverride(env: NodeJS.ProcessEnv, service: EndpointService): EndpointOverride | undefined {
  const override = endpointOverride(env, service);
  const problem = override && endpointProblem(override);
  if (problem) throw Object.assign(new Error(problem), { name: "InvalidEndpoint" });
  return override;
}

const UNREACHABLE = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET"];

/**
 * A request that timed out or could not connect names the endpoint that did not answer, and the variable
 * that set it when it was overridden.
 */
function nameEndpointOnFailure(client: RDSClient | S3Client, override: EndpointOverride | undefined): void {
  const stack = client.middlewareStack as unknown as { add(m: Middleware, o: { step: string; priority: string; name: string }): void };
  stack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        const e = err as { name?: unknown; message?: unknown; code?: unknown };
        const { hostname, port } = (args.request ?? {}) as { hostname?: string; port?: number };
        const unreachable = e && (e.name === "TimeoutError" || UNREACHABLE.includes(String(e.code)));
        if (unreachable && typeof e.message === "string" && hostname) {
          const from = override ? ` (${override.variable})` : "";
          e.message = `${hostname}${port ? `:${port}` : ""}${from}: ${e.message.replace(/^@smithy\/node-http-handler - /, "")}`;
        }
        throw err;
      }
    },
    { step: "finalizeRequest", priority: "low", name: "nameEndpointOnFailure" },
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
