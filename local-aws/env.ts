// The environment a child process (the CLI, a serialized Lambda handler) needs to reach the fakes.
import type { FakeRds } from "./fake-rds";
import type { LocalS3 } from "./local-s3";

/**
 * A clean env: nothing inherited but PATH and HOME. A child gets one credential set for both
 * services, and s3rver accepts only S3RVER/S3RVER, which FakeRds accepts by default too.
 * `extra` is applied last; a key set to undefined there is removed.
 */
export function childEnv(rds: FakeRds, s3: LocalS3, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_REGION: rds.region,
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_ENDPOINT_URL_RDS: rds.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
    AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    AWS_EC2_METADATA_DISABLED: "true",
    // keep a developer's ~/.aws profiles out of the child's configuration
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    NODE_OPTIONS: "--openssl-legacy-provider",
    ...extra,
  };
  for (const key of Object.keys(env)) {
    if (env[key] === undefined) delete env[key];
  }
  return env;
}
