/**
 * The command line: the global options, the command, and the command's own options, parsed by one pure
 * parser (options.ts) so that usage errors are easy to test.
 */
import { SETTING_RANGES, DEFAULTS, isSettingsError, validateSettings, type SyncSettings } from "../settings";
import type { Command } from "./command";
import { EXIT_CODES_HELP } from "./exit-codes";
import { GLOBAL_OPTIONS, globalOptions, type GlobalOptions } from "./global-options";
import { isUsageError, optionsHelp, parseOptions, usageError, type OptionSpecs, type OptionValues } from "./options";

export { isUsageError, usageError };

export const PROGRAM = "rds-log-archiver";

export const SYNC_OPTIONS = {
  bucket: { flag: "--bucket", kind: "text", placeholder: "<name>", help: "the archive bucket (required): its name, not an s3:// URL" },
  instances: { flag: "--instance", kind: "list", placeholder: "<id>", help: "a DB instance; repeatable" },
  clusters: { flag: "--cluster", kind: "list", placeholder: "<id>", help: "an Aurora cluster, resolved to its members at run time; repeatable" },
  include: { flag: "--include", kind: "list", placeholder: "<prefix>", help: "only log files whose name starts with it, e.g. audit/; repeatable" },
  concurrency: {
    flag: "--concurrency", kind: "whole", min: SETTING_RANGES.concurrency[0], max: SETTING_RANGES.concurrency[1], placeholder: "<n>",
    help: `instances and file copies in flight, ${SETTING_RANGES.concurrency.join(" to ")} (default ${DEFAULTS.concurrency})`,
  },
  activeRefreshMinutes: {
    flag: "--active-refresh-minutes", kind: "whole", min: SETTING_RANGES.activeRefreshMinutes[0], max: SETTING_RANGES.activeRefreshMinutes[1], placeholder: "<n>",
    help: "also refresh still-active dated files this often (default 0: off)",
  },
  connectTimeoutSeconds: {
    flag: "--connect-timeout", kind: "seconds", placeholder: "<seconds>",
    help: `give up connecting to an AWS endpoint after this long (default ${DEFAULTS.connectTimeoutSeconds})`,
  },
  readTimeoutSeconds: {
    flag: "--read-timeout", kind: "seconds", placeholder: "<seconds>",
    help: `give up on a connection silent this long (default ${DEFAULTS.readTimeoutSeconds}); an RDS\nrequest is tried 6 times, so a silent endpoint fails within 6 x this + 8 s`,
  },
  dryRun: { flag: "--dry-run", kind: "flag", help: "print the plan (file, action, key, size); write nothing" },
} as const satisfies OptionSpecs;

export type SyncValues = OptionValues<typeof SYNC_OPTIONS>;

/** The option names validateSettings reports problems under. */
const SETTING_FLAGS = {
  bucket: "--bucket", instances: "--instance", clusters: "--cluster", include: "--include", concurrency: "--concurrency",
  activeRefreshMinutes: "--active-refresh-minutes", connectTimeoutSeconds: "--connect-timeout", readTimeoutSeconds: "--read-timeout",
} as const;

export function syncSettings(v: SyncValues): SyncSettings {
  try {
    return validateSettings(
      {
        bucket: v.bucket ?? "",
        instances: v.instances,
        clusters: v.clusters,
        include: v.include,
        concurrency: v.concurrency ?? DEFAULTS.concurrency,
        activeRefreshMinutes: v.activeRefreshMinutes ?? DEFAULTS.activeRefreshMinutes,
        connectTimeoutSeconds: v.connectTimeoutSeconds ?? DEFAULTS.connectTimeoutSeconds,
        readTimeoutSeconds: v.readTimeoutSeconds ?? DEFAULTS.readTimeoutSeconds,
        dryRun: v.dryRun,
      },
      SETTING_FLAGS,
    );
  } catch (err) {
    if (isSettingsError(err)) throw usageError(err.message);
    throw err;
  }
}

export type CommandLine =
  | { kind: "help"; command?: string }
  | { kind: "version" }
  | { kind: "run"; command: Command; values: OptionValues<OptionSpecs>; positionals: string[]; global: GlobalOptions };

/**
 * Splits the command line: global options may come before or after the command, as with the AWS CLI.
 * Throws a UsageError; its message is one line.
 */
export function parseCommandLine(argv: readonly string[], commands: readonly Command[]): CommandLine {
  const args = argv.map((a) => (a === "-h" ? "--help" : a));
  const commandAt = firstPositional(args);
  const name = commandAt === undefined ? undefined : args[commandAt];
  if (name === "help") return { kind: "help", command: args[commandAt! + 1] };
  const command = commands.find((c) => c.name === name);
  if (name !== undefined && !command) throw usageError(`unknown command "${name}"; the commands are ${commands.map((c) => c.name).join(", ")}`);
  const rest = commandAt === undefined ? args : [...args.slice(0, commandAt), ...args.slice(commandAt + 1)];
  const specs = { ...GLOBAL_OPTIONS, ...(command?.options ?? {}) };
  // --help and --version answer even when the rest of the line is wrong.
  if (rest.includes("--version")) return { kind: "version" };
  if (rest.includes("--help")) return { kind: "help", ...(command ? { command: command.name } : {}) };
  const { values, positionals } = parseOptions(specs, rest);
  if (!command) return { kind: "help" };
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
  return { kind: "run", command, values, positionals, global: globalOptions(values as OptionValues<typeof GLOBAL_OPTIONS>) };
}

/** The index of the first argument that is not an option or an option's value. */
function firstPositional(args: readonly string[]): number | undefined {
  const takesValue = (flag: string) => {
    const spec = Object.values(GLOBAL_OPTIONS).find((s) => s.flag === flag);
    return spec !== undefined && spec.kind !== "flag";
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") return i + 1 < args.length ? i + 1 : undefined;
    if (!a.startsWith("-")) return i;
    if (!a.includes("=") && takesValue(a)) i++;
  }
  return undefined;
}

export function usageHint(command?: string): string {
  return `see ${PROGRAM}${command ? ` ${command}` : ""} --help`;
}

export function programHelp(commands: readonly Command[]): string {
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(30)}${c.summary}`),
    "",
    "Global options (before or after the command):",
    optionsHelp(GLOBAL_OPTIONS),
    "",
    `Run ${PROGRAM} <command> --help for a command's options.`,
    "",
    EXIT_CODES_HELP,
  ].join("\n");
}

export function commandHelp(c: Command): string {
  return [
    `Usage: ${c.synopsis}`,
    "",
    c.description,
    "",
    optionsHelp(c.options),
    "",
    "Global options:",
    optionsHelp(GLOBAL_OPTIONS),
    "",
    "AWS settings, as the AWS CLI reads them: --region, else AWS_REGION or AWS_DEFAULT_REGION, else the profile's",
    "region; credentials from --profile, else the environment's keys, else AWS_PROFILE or the default chain;",
    "endpoints from AWS_ENDPOINT_URL[_RDS|_S3].",
    "",
    EXIT_CODES_HELP,
  ].join("\n");
}
