/** Command-line parsing for `rds-log-archiver sync`: pure, so usage errors are easy to test. */
import { DEFAULTS, isSettingsError, positiveSeconds, validateSettings, wholeNumber, type SyncSettings } from "../settings";

export const USAGE = `Usage:
  rds-log-archiver sync --bucket <name> [--instance <id>]... [--cluster <id>]...
                        [--include <prefix>]... [--concurrency <n>] [--active-refresh-minutes <n>]
                        [--connect-timeout <seconds>] [--read-timeout <seconds>] [--dry-run] [--json]

Copies every closed RDS log file of the named instances (and of every current member of the named
Aurora clusters) to s3://<bucket>, each exactly once.

  --bucket <name>                 the archive bucket (required)
  --instance <id>                 a DB instance; repeatable
  --cluster <id>                  an Aurora cluster, resolved to its members at run time; repeatable
  --include <prefix>              only log files whose name starts with it, e.g. audit/; repeatable
  --concurrency <n>               instances and file copies in flight (default ${DEFAULTS.concurrency})
  --active-refresh-minutes <n>    also refresh still-active dated files this often (default 0: off)
  --connect-timeout <seconds>     give up connecting to an AWS endpoint after this long (default ${DEFAULTS.connectTimeoutSeconds})
  --read-timeout <seconds>        give up on a connection silent this long (default ${DEFAULTS.readTimeoutSeconds}); an RDS
                                  request is tried 6 times, so a silent endpoint fails within 6 x this + 8 s
  --dry-run                       print the plan (file, action, key, bytes); write nothing
  --json                          print the report as JSON on stdout

AWS settings: AWS_REGION (else the profile's region), the credential chain (AWS_PROFILE...), AWS_ENDPOINT_URL[_RDS|_S3].
Ctrl-C or SIGTERM stops the copies in flight (their uploads are aborted), saves what finished, and exits.
Exit status: 0 everything synced, 1 some instance or file failed, 2 usage error,
             130 stopped by SIGINT, 143 stopped by SIGTERM.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface CliOptions {
  settings: SyncSettings;
  json: boolean;
}

const CLI_NAMES = {
  bucket: "--bucket", instances: "--instance", clusters: "--cluster", include: "--include",
  concurrency: "--concurrency", activeRefreshMinutes: "--active-refresh-minutes",
  connectTimeoutSeconds: "--connect-timeout", readTimeoutSeconds: "--read-timeout",
} as const;

export function parseArgs(argv: readonly string[]): CliOptions | "help" {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") return "help";
  if (command !== "sync") throw new UsageError(`unknown command "${command}"`);
  const values: Record<string, string[]> = {};
  const flags = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === "--help" || arg === "-h") return "help";
    if (arg === "--dry-run" || arg === "--json") {
      flags.add(arg);
      continue;
    }
    const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (!(Object.values(CLI_NAMES) as string[]).includes(name)) throw new UsageError(`unknown option "${arg}"`);
    const value = inline ?? rest[++i];
    if (value === undefined || (inline === undefined && value.startsWith("--"))) throw new UsageError(`${name} needs a value`);
    (values[name] ??= []).push(value);
  }
  const single = (name: string) => {
    const v = values[name];
    if (v && v.length > 1) throw new UsageError(`${name} given more than once`);
    return v?.[0];
  };
  const count = (name: string, fallback: number, min: number) => wholeNumber(name, single(name), fallback, min);
  const seconds = (name: string, fallback: number) => positiveSeconds(name, single(name), fallback);
  try {
    const settings = validateSettings(
      {
        bucket: single(CLI_NAMES.bucket) ?? "",
        instances: values[CLI_NAMES.instances] ?? [],
        clusters: values[CLI_NAMES.clusters] ?? [],
        include: values[CLI_NAMES.include] ?? [],
        concurrency: count(CLI_NAMES.concurrency, DEFAULTS.concurrency, 1),
        activeRefreshMinutes: count(CLI_NAMES.activeRefreshMinutes, DEFAULTS.activeRefreshMinutes, 0),
        connectTimeoutSeconds: seconds(CLI_NAMES.connectTimeoutSeconds, DEFAULTS.connectTimeoutSeconds),
        readTimeoutSeconds: seconds(CLI_NAMES.readTimeoutSeconds, DEFAULTS.readTimeoutSeconds),
        dryRun: flags.has("--dry-run"),
      },
      CLI_NAMES,
    );
    return { settings, json: flags.has("--json") };
  } catch (err) {
    if (isSettingsError(err)) throw new UsageError(err.message);
    throw err;
  }
}
