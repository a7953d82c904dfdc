/**
 * The AWS region, found the way the AWS CLI finds it: AWS_REGION (or AWS_DEFAULT_REGION), otherwise the
 * `region` of the active profile (AWS_PROFILE, else `default`) in the shared config file (AWS_CONFIG_FILE,
 * else ~/.aws/config). The files are read by the SDK's own region resolution, the same way its credential
 * chain reads them, so region and credentials always come from the same profile.
 */
import type { AwsSdk } from "./aws-sdk";

export function regionFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}

export async function resolveRegion(sdk: Pick<AwsSdk, "rds">, env: NodeJS.ProcessEnv): Promise<string> {
  const fromEnv = regionFromEnv(env);
  if (fromEnv) return fromEnv;
  // A client given no region resolves it from the profile when asked; it sends nothing.
  const probe = new sdk.rds.RDSClient(env.AWS_PROFILE ? { profile: env.AWS_PROFILE } : {});
  try {
    const region = await probe.config.region();
    if (region) return region;
  } catch {
    // no region in the profile, or no profile: explained below
  } finally {
    probe.destroy();
  }
  const profile = env.AWS_PROFILE || "default";
  const configFile = env.AWS_CONFIG_FILE || "~/.aws/config";
  const message = `no AWS region: set AWS_REGION, or \`region\` in the profile "${profile}" of ${configFile}`;
  throw Object.assign(new Error(message), { name: "NoRegion" });
}
