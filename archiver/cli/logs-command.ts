/** `rds-log-archiver logs`: an instance's archived lines over a time range, in time order, on stdout. */
import { DEFAULT_TIMEOUTS, createClients } from "../aws-clients";
import { readLogs } from "../read-back/read-logs";
import { parseTimeRange } from "../read-back/time-range";
import { PROGRAM, usageError } from "./args";
import { defineCommand, type CommandContext } from "./command";
import { EXIT, type ExitCode } from "./exit-codes";
import type { OptionSpecs } from "./options";
import { preflight } from "./preflight";

export const LOGS_OPTIONS = {
  bucket: { flag: "--bucket", kind: "text", placeholder: "<name>", help: "the archive bucket (required)" },
  instance: { flag: "--instance", kind: "text", placeholder: "<id>", help: "the DB instance (required)" },
  cluster: { flag: "--cluster", kind: "text", placeholder: "<id>", help: "its Aurora cluster, when it is a member (the archive files members under it)" },
  types: { flag: "--type", kind: "list", placeholder: "<logtype>", help: "error, slowquery, general, audit, log, trace...; repeatable (default: all)" },
  from: { flag: "--from", kind: "text", placeholder: "<time>", help: "the start (required): ISO 8601, UTC unless it has an offset,\nor a time ago (30m, 2h, 7d)" },
  to: { flag: "--to", kind: "text", placeholder: "<time>", help: "the end, exclusive, the same way (default: now)" },
  grep: { flag: "--grep", kind: "text", placeholder: "<regex>", help: "only lines matching this JavaScript regular expression" },
  withActive: {
    flag: "--with-active", kind: "flag",
    help: `then what RDS holds but has not archived yet (active files),\neach line marked "[not archived] <file>:"`,
  },
} as const satisfies OptionSpecs;

export const logsCommand = defineCommand({
  name: "logs",
  summary: "print an instance's archived log lines over a time range, in time order",
  synopsis:
    `${PROGRAM} logs --bucket <name> --instance <id> [--type <logtype>]...\n` +
    "                        --from <time> [--to <time>] [--grep <regex>] [--with-active]",
  description:
    "Lists only the hour folders the range needs, streams their objects through gunzip and prints their lines\n" +
    "in time order. Works in a pipe, and stops quietly when the reader goes away (| head). A range with no\n" +
    "archived object prints nothing and exits 0, with a note on stderr.",
  options: LOGS_OPTIONS,
  stopsQuietlyWhenOutputCloses: true,
  async run(values, _positionals, ctx: CommandContext): Promise<ExitCode> {
    const { io } = ctx;
    if (!values.bucket) throw usageError("--bucket is required");
    if (!values.instance) throw usageError("--instance is required");
    const now = (io.now ?? Date.now)();
    const range = parseTimeRange(values.from, values.to, now);
    if ("error" in range) throw usageError(range.error);
    let grep: RegExp | undefined;
    try {
      grep = values.grep === undefined ? undefined : new RegExp(values.grep);
    } catch (err) {
      throw usageError(`--grep: ${(err as Error).message}`);
    }
    const sdk = ctx.loadSdk();
    const problem = await preflight({ sdk, env: ctx.env, bucket: values.bucket, timeouts: DEFAULT_TIMEOUTS });
    if (problem) {
      io.stderr(`${PROGRAM}: ${problem}`);
      return EXIT.couldNotStart;
    }
    if (!io.stdoutStream) throw new Error("logs needs a stdout stream");
    const aws = await createClients(sdk, ctx.env);
    const result = await readLogs(
      {
        bucket: values.bucket, group: values.cluster ?? values.instance, instance: values.instance, types: values.types, range,
        ...(grep ? { grep } : {}), withActive: values.withActive,
      },
      { aws, out: io.stdoutStream, note: (line) => io.stderr(`${PROGRAM}: ${line}`), now: () => now },
    );
    if (ctx.global.verbose) {
      io.stderr(`${PROGRAM}: ${result.lines} line(s) from ${result.objects} object(s)${values.withActive ? ` and ${result.activeFiles} active file(s)` : ""}`);
    }
    return EXIT.ok;
  },
});
