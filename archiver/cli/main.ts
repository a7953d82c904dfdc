/**
 * `rds-log-archiver`: the sync engine from a terminal. Parses the command line, dispatches to a command, and
 * turns the outcome into an exit status (exit-codes.ts). A usage error is one line and a pointer to --help.
 */
import * as fs from "fs";
import * as path from "path";
import { loadAwsSdk } from "../aws-sdk";
import { commandHelp, parseCommandLine, PROGRAM, programHelp, usageHint } from "./args";
import type { CliIo, Command } from "./command";
import { EXIT, SIGNAL_EXIT_CODES, type StopSignal } from "./exit-codes";
import { awsEnv } from "./global-options";
import { isUsageError } from "./options";
import { logsCommand } from "./logs-command";
import { syncCommand } from "./sync-command";
import { verifyCommand } from "./verify-command";

export type { CliIo } from "./command";
export { SIGNAL_EXIT_CODES, type StopSignal };

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [syncCommand, verifyCommand, logsCommand];

export function processIo(): CliIo {
  let writeError: Error | undefined;
  process.stdout.on("error", (err) => (writeError ??= err));
  return {
    stdout: (t) => void process.stdout.write(`${t}\n`, (err) => void (err && (writeError ??= err))),
    stderr: (t) => void process.stderr.write(`${t}\n`),
    stderrRaw: (t) => void process.stderr.write(t),
    stderrIsTTY: process.stderr.isTTY === true,
    ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
    env: process.env,
    trapSignals: (onSignal) => {
      const signals: StopSignal[] = ["SIGINT", "SIGTERM"];
      for (const s of signals) process.on(s, onSignal);
      return () => {
        for (const s of signals) process.off(s, onSignal);
      };
    },
    exitNow: (code) => process.exit(code),
    stdoutStream: process.stdout,
    flushStdout: () =>
      new Promise((resolve, reject) => {
        process.stdout.write("", (err) => (err || writeError ? reject(err ?? writeError) : resolve()));
      }),
  };
}

export function version(): string {
  return `${PROGRAM}/${packageVersion()} node/${process.versions.node} ${process.platform}/${process.arch}`;
}

/** From package.json, found above this module both in the sources and in the compiled out/ tree. */
function packageVersion(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === PROGRAM && pkg.version) return pkg.version;
    }
  }
  return "unknown";
}

export async function main(argv: readonly string[], io: CliIo = processIo(), commands: readonly Command[] = COMMANDS): Promise<number> {
  const code = await dispatch(argv, io, commands);
  try {
    await io.flushStdout?.();
  } catch (err) {
    if ((err as { code?: string }).code === "EPIPE" && commands.find((c) => argv.includes(c.name))?.stopsQuietlyWhenOutputCloses) return code;
    io.stderr(`${PROGRAM}: could not write to stdout: ${(err as Error).message}`);
    return code === EXIT.ok ? EXIT.failed : code;
  }
  return code;
}

async function dispatch(argv: readonly string[], io: CliIo, commands: readonly Command[]): Promise<number> {
  let commandName: string | undefined;
  try {
    const line = parseCommandLine(argv, commands);
    if (line.kind === "version") {
      io.stdout(version());
      return EXIT.ok;
    }
    if (line.kind === "help") {
      const command = commands.find((c) => c.name === line.command);
      if (line.command !== undefined && !command) throw new Error(`unknown command "${line.command}"`);
      io.stdout(command ? commandHelp(command) : programHelp(commands));
      return EXIT.ok;
    }
    commandName = line.command.name;
    const ctx = { io, global: line.global, env: awsEnv(io.env, line.global), loadSdk: loadAwsSdk };
    return await line.command.run(line.values, line.positionals, ctx);
  } catch (err) {
    if (!isUsageError(err) && !(err instanceof Error && /^unknown command/.test(err.message))) throw err;
    io.stderr(`${PROGRAM}: ${err.message}\n${usageHint(commandName ?? knownCommand(argv, commands))}`);
    return EXIT.usage;
  }
}

/** The command named on a line that failed to parse, for the pointer to its help. */
function knownCommand(argv: readonly string[], commands: readonly Command[]): string | undefined {
  return commands.find((c) => argv.includes(c.name))?.name;
}
