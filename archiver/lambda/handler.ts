/**
 * The Lambda entry: createSyncHandler(sdk) returns an async (event, context) handler. Settings come from
 * the environment (settings.ts ENV); it logs one JSON line per copied or failed file, a summary line and
 * its metrics (CloudWatch Embedded Metric Format), and returns the same report as the CLI's --json.
 */
import type { AwsSdk } from "../aws-sdk";
import type { SyncEvent, SyncReport } from "../report";
import { syncMetricLines } from "../metrics/emf";
import { settingsFromEnv, stageOf } from "../settings";
import { runSync } from "../sync/run-sync";

export interface LambdaContext {
  getRemainingTimeInMillis?: () => number;
  awsRequestId?: string;
}

export function createSyncHandler(sdk: AwsSdk, env: NodeJS.ProcessEnv = process.env) {
  // Exactly two parameters: the Lambda runtime treats a third as a callback-style handler.
  return async (_event: unknown, context?: LambdaContext): Promise<SyncReport> => {
    const settings = settingsFromEnv(env);
    const report = await runSync(settings, {
      sdk,
      env,
      ...(context?.getRemainingTimeInMillis ? { timeLeftMs: () => context.getRemainingTimeInMillis!() } : {}),
      onEvent: logFileEvent,
    });
    console.log(
      JSON.stringify({
        level: report.ok ? "info" : "error",
        msg: "sync finished",
        bucket: report.bucket,
        ok: report.ok,
        ...(report.stopped ? { stopped: report.stopped } : {}),
        ...(report.staleUploadsAborted ? { staleUploadsAborted: report.staleUploadsAborted } : {}),
        ...report.totals,
        errors: [
          ...report.errors,
          ...report.instances.filter((i) => i.error).map((i) => ({ target: i.instance, ...i.error })),
        ],
      }),
    );
    for (const line of syncMetricLines(report, stageOf(env), Date.now())) console.log(line);
    return report;
  };
}

function logFileEvent(e: SyncEvent): void {
  if (e.type === "copied") console.log(JSON.stringify({ level: "info", msg: "copied", ...withoutType(e) }));
  if (e.type === "deferred") console.log(JSON.stringify({ level: "warn", msg: "deferred", ...withoutType(e) }));
  if (e.type === "failed") console.log(JSON.stringify({ level: "error", msg: "failed", ...withoutType(e) }));
  if (e.type === "lost") console.log(JSON.stringify({ level: "error", msg: "lost before it was archived", ...withoutType(e) }));
}

function withoutType<T extends { type: string }>(e: T): Omit<T, "type"> {
  const { type: _type, ...rest } = e;
  return rest;
}
