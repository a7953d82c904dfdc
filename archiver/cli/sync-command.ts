/** `rds-log-archiver sync`: preflight, run, then the plan, the summary or the JSON report. */
import { timeoutsOf } from "../aws-clients";
import { runSync } from "../sync/run-sync";
import { PROGRAM, SYNC_OPTIONS, syncSettings } from "./args";
import { defineCommand, type CommandContext } from "./command";
import { EXIT, SIGNAL_EXIT_CODES, type ExitCode, type StopSignal } from "./exit-codes";
import { formatBytes } from "./format";
import { formatPlan, formatSummary } from "./output";
import { preflight } from "./preflight";
import { unmatchedIncludes } from "./problems";
import { progressReporter } from "./progress";

export const syncCommand = defineCommand({
  name: "sync",
  summary: "copy every closed RDS log file to the archive bucket, each exactly once",
  synopsis: `${PROGRAM} sync --bucket <name> (--instance <id> | --cluster <id>)... [options]`,
  description:
    "Copies every closed RDS log file of the named instances (and of every current member of the named\n" +
    "Aurora clusters) to s3://<bucket>, each exactly once. Ctrl-C or SIGTERM stops the copies in flight\n" +
    "(their uploads are aborted), saves what finished, and exits; a second signal exits at once.",
  options: SYNC_OPTIONS,
  async run(values, _positionals, ctx: CommandContext): Promise<ExitCode> {
    const settings = syncSettings(values);
    const { io, global } = ctx;
    const sdk = ctx.loadSdk();
    const problem = await preflight({ sdk, env: ctx.env, bucket: settings.bucket, timeouts: timeoutsOf(settings) });
    if (problem) {
      io.stderr(`${PROGRAM}: ${problem}`);
      return EXIT.couldNotStart;
    }
    const json = global.output === "json";
    const progress = progressReporter({
      line: io.stderr,
      ...(io.stderrRaw ? { raw: io.stderrRaw } : {}),
      isTTY: io.stderrIsTTY === true,
      ...(io.columns ? { columns: io.columns } : {}),
      ...(io.now ? { now: io.now } : {}),
      ...(io.progressIntervalMs ? { intervalMs: io.progressIntervalMs } : {}),
      progress: !json && !global.quiet && !settings.dryRun,
      problems: !settings.dryRun || json || global.quiet,
      verbose: global.verbose,
    });
    const stop = new AbortController();
    let stoppedBy: StopSignal | undefined;
    const release = io.trapSignals?.((signal) => {
      if (stoppedBy) return io.exitNow?.(SIGNAL_EXIT_CODES[signal]);
      stoppedBy = signal;
      progress.note(`${PROGRAM}: ${signal}: aborting the copies in flight and saving what finished; ${signal} again exits at once`);
      stop.abort(`interrupted by ${signal}`);
    });
    const started = Date.now();
    let report;
    try {
      report = await runSync(settings, {
        sdk,
        env: ctx.env,
        signal: stop.signal,
        bucketChecked: true,
        onEvent: progress.onEvent,
        ...(global.verbose
          ? {
              retry: {
                onRetry: (r) =>
                  progress.note(`${r.throttled ? "throttled" : "retrying"}: ${r.code}: ${r.message.split("\n")[0]}; attempt ${r.attempt + 1} of ${r.attempts} in ${r.delayMs} ms`),
              },
            }
          : {}),
      });
    } finally {
      release?.();
      progress.finish(report);
    }
    for (const prefix of unmatchedIncludes(report, settings.include)) {
      io.stderr(`${PROGRAM}: warning: --include ${prefix} matched no listed file; check its spelling`);
    }
    if (global.verbose) io.stderr(`${PROGRAM}: ${settings.dryRun ? "planned" : "ran"} in ${Date.now() - started} ms; ${formatBytes(report.totals.bytesRead)} read`);
    if (json) io.stdout(JSON.stringify(report, null, 2));
    else if (!global.quiet) io.stdout(settings.dryRun ? formatPlan(report) : formatSummary(report));
    if (stoppedBy) return SIGNAL_EXIT_CODES[stoppedBy];
    return report.ok ? EXIT.ok : EXIT.failed;
  },
});
