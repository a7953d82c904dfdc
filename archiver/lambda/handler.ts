/**
 * The Lambda entry: createSyncHandler(sdk) returns an async (event, context) handler. Settings come from
 * the environment (settings.ts ENV); it logs one line per copied, deferred or failed file and a summary line
 * (Powertools-shaped, lambda/logger.ts), writes its metrics (CloudWatch Embedded Metric Format), and returns
 * the same report as the CLI's --json.
 */
import type { AwsSdk } from "../aws-sdk";
import type { SyncEvent, SyncReport } from "../report";
import { syncMetricLines } from "../metrics/emf";
import { settingsFromEnv, stageOf } from "../settings";
import { runSync } from "../sync/run-sync";
import { invocationLoggers, writeLine, type InvocationContext, type Logger } from "./logger";

export interface LambdaContext extends InvocationContext {
  getRemainingTimeInMillis?: () => number;
}

export function createSyncHandler(sdk: AwsSdk, env: NodeJS.ProcessEnv = process.env) {
  const loggerFor = invocationLoggers(env);
  // Exactly two parameters: the Lambda runtime treats a third as a callback-style handler.
  return async (_event: unknown, context?: LambdaContext): Promise<SyncReport> => {
    const log = loggerFor(context);
    const settings = settingsFromEnv(env);
    const report = await runSync(settings, {
      sdk,
      env,
      ...(context?.getRemainingTimeInMillis ? { timeLeftMs: () => context.getRemainingTimeInMillis!() } : {}),
      onEvent: (e) => logFileEvent(log, e),
    });
    (report.ok ? log.info : log.error)("sync finished", {
      bucket: report.bucket,
      ok: report.ok,
      ...(report.stopped ? { stopped: report.stopped } : {}),
      ...(report.staleUploadsAborted ? { staleUploadsAborted: report.staleUploadsAborted } : {}),
      ...report.totals,
      errors: [
        ...report.errors,
        ...report.instances.filter((i) => i.error).map((i) => ({ target: i.instance, ...i.error })),
      ],
    });
    for (const line of syncMetricLines(report, stageOf(env), Date.now())) writeLine(line);
    return report;
  };
}

function logFileEvent(log: Logger, e: SyncEvent): void {
  if (e.type === "copied") log.info("copied", withoutType(e));
  if (e.type === "deferred") log.warn("deferred", withoutType(e));
  if (e.type === "failed") log.error("failed", withoutType(e));
  if (e.type === "lost") log.error("lost before it was archived", withoutType(e));
}

function withoutType<T extends { type: string }>(e: T): Omit<T, "type"> {
  const { type: _type, ...rest } = e;
  return rest;
}
