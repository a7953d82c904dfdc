/**
 * The fan-out worker (SQS event source mapping): syncs the one instance each message names with the same engine
 * as the scheduled function (runSyncFor: no cluster lookup, one instance), logs and meters the run the same way,
 * and answers with the batch's failures for a FIFO queue (fan-out/batch-outcome.ts).
 * - A message for an instance RDS no longer has is reported (log, InstancesGone) and dropped, not retried.
 * - A message it cannot read is failed, so SQS hands it out again and then moves it to the dead-letter queue.
 * - A message for an id the stack does not archive is reported (MessagesRejected) and dropped.
 * - Instance and file failures are reported as the scheduled function reports them; the message is still done,
 *   because the next tick's message for the instance retries them. A failed message would block the instance's
 *   group for a whole visibility timeout.
 */
import type { AwsSdk } from "../aws-sdk";
import { batchResponse, type BatchResponse, type RecordResult } from "../fan-out/batch-outcome";
import { decodeMessage, type SyncMessage } from "../fan-out/message";
import { droppedMessageMetricLine, FAN_OUT_METRICS } from "../metrics/emf";
import { settingsFromEnv, stageOf, type SyncSettings } from "../settings";
import { runSyncFor } from "../sync/run-sync";
import { DEADLINE_MARGIN_MS } from "../sync/stop";
import { logFileEvent, logSyncReport, type LambdaContext } from "./handler";
import { invocationLoggers, writeLine, type Logger } from "./logger";

export interface SqsRecord {
  messageId: string;
  body: string;
  attributes?: { MessageGroupId?: string; ApproximateReceiveCount?: string };
}

export interface SqsEvent {
  Records: SqsRecord[];
}

/** RDS's error codes for an instance that does not exist (the API's, and the log download's). */
const INSTANCE_GONE_CODES: readonly string[] = ["DBInstanceNotFound", "DBInstanceNotFoundFault"];

export function createWorkerHandler(sdk: AwsSdk, env: NodeJS.ProcessEnv = process.env) {
  const loggerFor = invocationLoggers(env);
  return async (event: SqsEvent, context?: LambdaContext): Promise<BatchResponse> => {
    const log = loggerFor(context);
    const settings = settingsFromEnv(env);
    const stage = stageOf(env);
    const timeLeftMs = context?.getRemainingTimeInMillis ? () => context.getRemainingTimeInMillis!() : undefined;
    const records = event.Records ?? [];
    const results: RecordResult[] = [];
    for (const record of records) {
      if (results.includes("failed") || results.includes("not-started")) {
        results.push("not-started");
        continue;
      }
      // A later message of the batch starts only with time for more than the stop margin.
      if (timeLeftMs && timeLeftMs() < 2 * DEADLINE_MARGIN_MS) {
        results.push("not-started");
        continue;
      }
      results.push(await workOn(log, record, settings, stage, sdk, env, timeLeftMs));
    }
    const response = batchResponse(records, results);
    if (response.batchItemFailures.length > 0) {
      log.warn("messages returned to the queue", { messageIds: response.batchItemFailures.map((f) => f.itemIdentifier) });
    }
    return response;
  };
}

async function workOn(
  log: Logger,
  record: SqsRecord,
  settings: SyncSettings,
  stage: string,
  sdk: AwsSdk,
  env: NodeJS.ProcessEnv,
  timeLeftMs: (() => number) | undefined,
): Promise<RecordResult> {
  const decoded = decodeMessage(record.body);
  if ("problem" in decoded) {
    log.error("unreadable message", { messageId: record.messageId, problem: decoded.problem });
    writeLine(droppedMessageMetricLine(stage, FAN_OUT_METRICS.messagesRejected, Date.now()));
    return "failed";
  }
  const message = decoded.message;
  const notOurs = foreignTarget(message, settings);
  if (notOurs) {
    log.warn("message dropped", { messageId: record.messageId, ...message, reason: notOurs });
    writeLine(droppedMessageMetricLine(stage, FAN_OUT_METRICS.messagesRejected, Date.now()));
    return "done";
  }
  const report = await runSyncFor(settings, { sdk, env, ...(timeLeftMs ? { timeLeftMs } : {}), onEvent: (e) => logFileEvent(log, e) }, [
    { instance: message.instance, group: message.group },
  ]);
  const gone = report.instances.find((i) => i.error && INSTANCE_GONE_CODES.includes(i.error.code));
  if (gone) {
    log.warn("instance gone; message dropped", { messageId: record.messageId, ...message, code: gone.error!.code });
    writeLine(droppedMessageMetricLine(stage, FAN_OUT_METRICS.instancesGone, Date.now()));
    // A cluster member removed since the dispatch is expected; a configured instance that is gone is a failure, as today.
    if (message.group !== message.instance) return "done";
  }
  logSyncReport(log, report, stage);
  return "done";
}

/** Why the message names nothing the stack archives, or undefined. */
function foreignTarget(m: SyncMessage, s: SyncSettings): string | undefined {
  if (m.group === m.instance) return s.instances.includes(m.instance) || s.clusters.includes(m.instance) ? undefined : `${m.instance} is not an instance of this stack`;
  return s.clusters.includes(m.group) ? undefined : `${m.group} is not a cluster of this stack`;
}
