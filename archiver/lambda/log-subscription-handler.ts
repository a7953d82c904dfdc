/**
 * Archives CloudWatch Logs subscription deliveries, gzip-compressed, one JSON line per log event:
 * `cloudwatch/<log group>/<YYYY>/<MM>/<DD>/<HH>/<log stream>-<first event id>.gz`. Redelivery overwrites the
 * same objects. CONTROL_MESSAGE deliveries are skipped. A payload that cannot be decoded, and any malformed
 * event in an otherwise good batch, go to `_rejected/`: never dropped, and never at the cost of the good events.
 */
import { createS3Client } from "../aws-clients";
import type { AwsSdk } from "../aws-sdk";
import { batchObjects, decodeSubscription, validEvents } from "../log-subscriptions/decode";
import { emfLine } from "../metrics/emf";
import { metadataValue } from "../s3/metadata";
import { putGzipText, putRejected, type BucketWriter } from "../s3/small-objects";
import { logSubscriptionSettingsFromEnv, stageOf } from "../settings";
import { invocationLoggers, writeLine, type InvocationContext } from "./logger";

export interface SubscriptionResult {
  status: "archived" | "rejected" | "control";
  keys: string[];
  events: number;
  rejected: number;
}

export function createLogSubscriptionHandler(sdk: Pick<AwsSdk, "s3">, env: NodeJS.ProcessEnv = process.env) {
  let s3: ReturnType<typeof createS3Client> | undefined;
  const loggerFor = invocationLoggers(env);
  return async (event: unknown, context?: InvocationContext): Promise<SubscriptionResult> => {
    const log = loggerFor(context);
    const { bucket } = logSubscriptionSettingsFromEnv(env);
    s3 ??= createS3Client(sdk, env);
    const writer: BucketWriter = { sdk, s3, bucket };
    const now = Date.now();
    const report = (archived: number, rejected: number) =>
      writeLine(
        emfLine(
          { Stage: stageOf(env) },
          { LogEventsArchived: { value: archived, unit: "Count" }, Rejected: { value: rejected, unit: "Count" } },
          now,
        ),
      );

    const decoded = decodeSubscription(event);
    if ("error" in decoded) {
      const key = await putRejected(writer, "cloudwatch-logs", decoded.error, event, now);
      log.warn("rejected", { reason: decoded.error, key });
      report(0, 1);
      return { status: "rejected", keys: [key], events: 0, rejected: 1 };
    }
    const batch = decoded.ok;
    if (batch.messageType === "CONTROL_MESSAGE") return { status: "control", keys: [], events: 0, rejected: 0 };
    const { good, bad } = validEvents(batch);
    const keys: string[] = [];
    for (const object of batchObjects(batch, good)) {
      await putGzipText(writer, object.key, object.body, {
        "log-group": metadataValue(batch.logGroup),
        "log-stream": metadataValue(batch.logStream),
        events: String(object.events),
      });
      keys.push(object.key);
    }
    if (bad.length > 0) {
      const detail = { logGroup: batch.logGroup, logStream: batch.logStream, owner: batch.owner, malformed: bad };
      keys.push(await putRejected(writer, "cloudwatch-logs", `${bad.length} malformed log event(s)`, detail, now));
    }
    (bad.length > 0 ? log.warn : log.info)("archived", { logGroup: batch.logGroup, logStream: batch.logStream, events: good.length, rejected: bad.length, keys });
    report(good.length, bad.length);
    return { status: "archived", keys, events: good.length, rejected: bad.length };
  };
}
