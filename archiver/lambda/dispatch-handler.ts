/**
 * The fan-out dispatcher (scheduled): expands the stage's clusters into their current members and puts one
 * message per instance on the FIFO queue, grouped by instance and deduplicated by instance and tick. It copies
 * nothing. When a message cannot be sent after its retries the handler throws, so that Lambda's retry of the
 * scheduled invocation sends the tick again; what SQS already has is dropped by its deduplication id.
 */
import { createClients, DEFAULT_TIMEOUTS } from "../aws-clients";
import type { AwsSdk } from "../aws-sdk";
import { errorCode, errorMessage } from "../errors";
import { batchSpacingMs, messagesFor, sendAll } from "../fan-out/dispatch";
import { scheduleTick } from "../fan-out/message";
import { sqsBatchSender, type SendBatch } from "../fan-out/sqs-send";
import { dispatchMetricLine } from "../metrics/emf";
import { dispatchSettingsFromEnv, stageOf } from "../settings";
import { DEFAULT_RETRY } from "../sync/retry";
import { resolveTargets } from "../sync/targets";
import { invocationLoggers, writeLine, type InvocationContext } from "./logger";

/** DescribeDBClusters calls start at least this far apart: at most 4 a second of RDS's 12 sustained. */
export const CLUSTER_CALL_SPACING_MS = 250;

export interface DispatchReport {
  tick: string;
  instances: number;
  sent: number;
  notSent: { instance: string; code: string; message: string }[];
  /** Clusters that could not be expanded. */
  errors: { target: string; code: string; message: string }[];
}

export function createDispatchHandler(sdk: AwsSdk, env: NodeJS.ProcessEnv = process.env, sender?: SendBatch) {
  const loggerFor = invocationLoggers(env);
  return async (event: unknown, context?: InvocationContext): Promise<DispatchReport> => {
    const log = loggerFor(context);
    const settings = dispatchSettingsFromEnv(env);
    // A manual invocation has no `time`: the current second stands for its tick.
    const tick = scheduleTick((event as { time?: unknown } | undefined)?.time) ?? scheduleTick(new Date().toISOString())!;
    const errors: DispatchReport["errors"] = [];
    const aws = await createClients(sdk, env, DEFAULT_TIMEOUTS);
    const targets = await resolveTargets(aws, settings, DEFAULT_RETRY, errors, CLUSTER_CALL_SPACING_MS);
    const send = sender ?? sqsBatchSender(aws, env, settings.queueUrl);
    let outcome;
    try {
      // Spread over the tick, so that the workers' RDS calls are too (fan-out/dispatch.ts).
      outcome = await sendAll(messagesFor(targets, tick), send, DEFAULT_RETRY, { spacingMs: batchSpacingMs(targets.length) });
    } catch (err) {
      outcome = { sent: 0, failed: targets.map((t) => ({ instance: t.instance, code: errorCode(err), message: errorMessage(err) })), requests: 0 };
    }
    const report: DispatchReport = { tick, instances: targets.length, sent: outcome.sent, notSent: outcome.failed, errors };
    const ok = report.notSent.length === 0 && errors.length === 0;
    (ok ? log.info : log.error)("dispatched", { ...report });
    writeLine(dispatchMetricLine(stageOf(env), { sent: report.sent, notSent: report.notSent.length, clusterErrors: errors.length }, Date.now()));
    if (report.notSent.length > 0) {
      const first = report.notSent[0];
      throw Object.assign(new Error(`${report.notSent.length} of ${targets.length} messages for tick ${tick} not sent; first: ${first.instance}: ${first.code} ${first.message}`), { name: "DispatchIncomplete" });
    }
    return report;
  };
}
