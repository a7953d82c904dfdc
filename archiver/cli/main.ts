/** `rds-log-archiver`: the sync engine from a terminal. Exit 0 all synced, 1 something failed, 2 usage error. */
import { loadAwsSdk } from "../aws-sdk";
import { runSync } from "../sync/run-sync";
import { parseArgs, USAGE, UsageError } from "./args";
import { formatPlan, formatSummary, progressReporter } from "./output";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const processIo: CliIo = {
  stdout: (t) => process.stdout.write(`${t}\n`),
  stderr: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
};

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
  const report = await runSync(settings, {
    sdk: loadAwsSdk(),
    env: io.env,
    ...(json ? {} : { onEvent: progressReporter(io.stderr) }),
  });
  if (json) io.stdout(JSON.stringify(report, null, 2));
  else io.stdout(settings.dryRun ? formatPlan(report) : formatSummary(report));
  return report.ok ? 0 : 1;
}
