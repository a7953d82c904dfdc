/**
 * The CLI's exit statuses, the one table every command returns from and the help prints. A script can tell
 * "nothing ran" (usage, could not start) from "it ran and something failed".
 */

export const EXIT = {
  /** Everything synced (files deferred to the next run included). */
  ok: 0,
  /** It ran, and some instance or file failed; the others were synced. */
  failed: 1,
  /** The command line is wrong: nothing ran. */
  usage: 2,
  /** The command line is fine but the run could not start: bad bucket name, no region, no credentials, no such bucket, access denied, a malformed endpoint. Nothing was read or written. */
  couldNotStart: 3,
  /** Stopped by SIGINT (128 + 2), after saving what finished. */
  sigint: 130,
  /** Stopped by SIGTERM (128 + 15), after saving what finished. */
  sigterm: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
export type StopSignal = "SIGINT" | "SIGTERM";

export const SIGNAL_EXIT_CODES: Record<StopSignal, ExitCode> = { SIGINT: EXIT.sigint, SIGTERM: EXIT.sigterm };

/** The table as `--help` and the docs show it. */
export const EXIT_CODES_HELP = `Exit status:
  ${EXIT.ok}    everything synced (files left for the next run included)
  ${EXIT.failed}    some instance or file failed; the others were synced
  ${EXIT.usage}    usage error: nothing ran
  ${EXIT.couldNotStart}    could not start: bad bucket name, no region, no credentials, no such bucket,
       access denied on the bucket, a malformed endpoint URL; nothing ran
  ${EXIT.sigint}  stopped by SIGINT, ${EXIT.sigterm} stopped by SIGTERM (what finished is saved)`;
