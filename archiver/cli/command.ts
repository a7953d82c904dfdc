/**
 * What every CLI command is: a name, its options as typed specs, its help, and a run that returns an exit
 * code. main.ts parses the global options and the command's own with one parser, and dispatches.
 */
import type { Writable } from "stream";
import type { AwsSdk } from "../aws-sdk";
import type { ExitCode, StopSignal } from "./exit-codes";
import type { OptionSpecs, OptionValues } from "./options";
import type { GlobalOptions } from "./global-options";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal: progress then updates one line in place. */
  stderrIsTTY?: boolean;
  /** The terminal's width in columns, when stderr is one. */
  columns?: number;
  /** Raw text on stderr with no newline added: the updating progress line. */
  stderrRaw?: (text: string) => void;
  /** Calls `onSignal` on SIGINT and SIGTERM until the returned function is called. */
  trapSignals?: (onSignal: (signal: StopSignal) => void) => () => void;
  /** Ends the process at once: a second signal does not wait for the graceful stop. */
  exitNow?: (code: number) => void;
  /** Resolves once everything written to stdout is out; rejects with the error when a write failed. */
  flushStdout?: () => Promise<void>;
  /** The clock, POSIX ms. */
  now?: () => number;
  /** stdout as a stream, for commands that write with backpressure (logs). */
  stdoutStream?: Writable;
  /** How often a plain progress line is printed when stderr is not a terminal (default 10 s). */
  progressIntervalMs?: number;
}

export interface CommandContext {
  io: CliIo;
  global: GlobalOptions;
  /** io.env with --region and --profile applied the AWS CLI's way (awsEnv). */
  env: NodeJS.ProcessEnv;
  loadSdk: () => AwsSdk;
}

export interface Command<S extends OptionSpecs = OptionSpecs> {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The usage line(s), e.g. "rds-log-archiver sync --bucket <name> ...". */
  synopsis: string;
  /** A paragraph after the usage line. */
  description: string;
  options: S;
  /** A reader that stops reading (`| head`) is a normal end for this command, not a failed write. */
  stopsQuietlyWhenOutputCloses?: boolean;
  /** Problems of the values as a whole (required options, combinations): throws a UsageError. */
  run(values: OptionValues<S>, positionals: string[], ctx: CommandContext): Promise<ExitCode>;
}

/** Keeps each command's option types when the commands go into one list. */
export function defineCommand<S extends OptionSpecs>(command: Command<S>): Command<S> {
  return command;
}
