/**
 * The options every command takes, as the AWS CLI spells them, and the AWS settings they make: --region and
 * --profile take precedence the AWS CLI's way, command line > environment > the profile in ~/.aws/config.
 */
import { usageError, type OptionValues } from "./options";

export const GLOBAL_OPTIONS = {
  region: { flag: "--region", kind: "text", placeholder: "<region>", help: "the AWS region; wins over AWS_REGION and the profile's region" },
  profile: { flag: "--profile", kind: "text", placeholder: "<name>", help: "a profile of ~/.aws/config; wins over AWS_PROFILE and keys in the environment" },
  output: { flag: "--output", kind: "choice", choices: ["table", "json"], placeholder: "table|json", help: "table (default): a summary for people; json: the report, for scripts" },
  json: { flag: "--json", kind: "flag", help: "the same as --output json" },
  quiet: { flag: "--quiet", kind: "flag", help: "no progress and no summary: only problems (stderr) and the exit status" },
  verbose: { flag: "--verbose", kind: "flag", help: "also retries, throttling and timings, on stderr" },
  help: { flag: "--help", kind: "flag", help: "this help" },
  version: { flag: "--version", kind: "flag", help: "the version, and exit" },
} as const;

export type GlobalValues = OptionValues<typeof GLOBAL_OPTIONS>;

export interface GlobalOptions {
  region?: string;
  profile?: string;
  output: "table" | "json";
  quiet: boolean;
  verbose: boolean;
}

export function globalOptions(v: GlobalValues): GlobalOptions {
  if (v.json && v.output === "table") throw usageError("--json and --output table contradict each other");
  if (v.quiet && v.verbose) throw usageError("--quiet and --verbose contradict each other");
  return {
    ...(v.region !== undefined ? { region: v.region } : {}),
    ...(v.profile !== undefined ? { profile: v.profile } : {}),
    output: v.json ? "json" : (v.output ?? "table"),
    quiet: v.quiet,
    verbose: v.verbose,
  };
}

const STATIC_CREDENTIALS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];

/**
 * The AWS settings a command runs with. --region sets AWS_REGION, which wins over AWS_DEFAULT_REGION and the
 * profile's region. --profile sets AWS_PROFILE and, as with the AWS CLI, wins over access keys in the
 * environment (without it, keys in the environment win over AWS_PROFILE).
 */
export function awsEnv(env: NodeJS.ProcessEnv, g: Pick<GlobalOptions, "region" | "profile">): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  if (g.profile !== undefined) {
    out.AWS_PROFILE = g.profile;
    for (const name of STATIC_CREDENTIALS) delete out[name];
  }
  if (g.region !== undefined) out.AWS_REGION = g.region;
  return out;
}
