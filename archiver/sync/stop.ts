/**
 * When a run must stop early: on a signal (the CLI) or when the Lambda's time is about to run out. Copies
 * in flight are aborted (their multipart uploads too), no new copy starts, and what finished is saved.
 */

/** Run time kept back at a deadline for aborting uploads, saving state and reporting. */
export const DEADLINE_MARGIN_MS = 15_000;
export const DEADLINE_REASON = "the invocation's time ran out";
/** How often the time left is looked at. */
const DEADLINE_POLL_MS = 500;

export interface RunStop {
  signal: AbortSignal;
  dispose(): void;
}

/** Stops on `outer` (a signal's abort), or `marginMs` before `timeLeftMs` reaches zero, whichever comes first. */
export function runStop(outer: AbortSignal | undefined, timeLeftMs: (() => number) | undefined, marginMs = DEADLINE_MARGIN_MS): RunStop {
  const controller = new AbortController();
  const stop = (reason: unknown) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onOuter = () => stop(outer?.reason);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener("abort", onOuter, { once: true });
  const checkDeadline = () => {
    if (timeLeftMs && timeLeftMs() < marginMs) stop(DEADLINE_REASON);
  };
  checkDeadline();
  const timer = timeLeftMs ? setInterval(checkDeadline, DEADLINE_POLL_MS) : undefined;
  timer?.unref();
  return {
    signal: controller.signal,
    dispose: () => {
      clearInterval(timer);
      outer?.removeEventListener("abort", onOuter);
    },
  };
}

/** Why the run stopped, for reports and logs. */
export function stopReason(signal: AbortSignal): string {
  return typeof signal.reason === "string" ? signal.reason : "the run was stopped";
}

/** The error a copy in flight is ended with; not retried. */
export function stoppedError(signal: AbortSignal): Error {
  return Object.assign(new Error(`stopped: ${stopReason(signal)}`), { name: "RunStopped" });
}
