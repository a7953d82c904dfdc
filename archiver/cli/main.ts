/**
 * `rds-log-archiver`: the sync engine from a terminal. Exit 0 all synced, 1 something failed, 2 usage error,
 * 130 or 143 stopped by SIGINT or SIGTERM.
 */
import { loadAwsSdk } from "../aws-sdk";
import { runSync } from "../sync/run-sync";
import { parseArgs, USAGE, UsageError } from "./args";
import { formatPlan, formatSummary, progressReporter } from "./output";

export type StopSignal = "SIGINT" | "SIGTERM";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Calls `onSignal` on SIGINT and SIGTERM until the returned function is called. */
  trapSignals?: (onSignal: (signal: StopSignal) => void) => () => void;
  /** Ends the process at once: a second signal does not wait for the graceful stop. */
  exitNow?: (code: number) => void;
}

const processIo: CliIo = {
  stdout: (t) => process.stdout.write(`${t}\n`),
  stderr: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
  trapSignals: (onSignal) => {
    const signals: StopSignal[] = ["SIGINT", "SIGTERM"];
    for (const s of signals) process.on(s, onSignal);
    return () => {
      for (const s of signals) process.off(s, onSignal);
    };
  },
  exitNow: (code) => process.exit(code),
};

/** The shell's convention: 128 + the signal's number. */
export const SIGNAL_EXIT_CODES: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`rds-log-archiver: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed === "help") {
    io.stdout(USAGE);
    return 0;
  }
  const { settings, json } = parsed;
  const stop = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const release = io.trapSignals?.((signal) => {
    if (stoppedBy) return io.exitNow?.(SIGNAL_EXIT_CODES[signal]);
    stoppedBy = signal;
    io.stderr(`rds-log-archiver: ${signal}: aborting the copies in flight and saving what finished; ${signal} again exits at once`);
    stop.abort(`interrupted by ${signal}`);
  });
  try {
    const report = await runSync(settings, {
      sdk: loadAwsSdk(),
      env: io.env,
      signal: stop.signal,
      ...(json ? {} : { onEvent: progressReporter(io.stderr) }),
    });
    if (json) io.stdout(JSON.stringify(report, null, 2));
    else io.stdout(settings.dryRun ? formatPlan(report) : formatSummary(report));
    if (stoppedBy) return SIGNAL_EXIT_CODES[stoppedBy];
    return report.ok ? 0 : 1;
  } finally {
    release?.();
  }
}
