/**
 * Archives RDS events delivered by EventBridge: `events/<YYYY>/<MM>/<DD>/<HH>/<event id>.json`.
 * The rule delivers every aws.rds event of the account. This function keeps those of the stage's instances
 * and clusters, and of the clusters' current members, resolved at run time, so a new replica's events are
 * kept without a redeploy. A malformed event goes to `_rejected/`. An S3 failure throws, so Lambda retries
 * and then hands the event to the dead-letter queue. An event saying Aurora deleted log files before they were
 * shipped (rds-events/rds-event.ts) also counts in FilesLost, the gap ledger's metric and alarm.
 */
import { createClients, type AwsClients } from "../aws-clients";
import type { AwsSdk } from "../aws-sdk";
import { emfLine, FILES_LOST_METRIC } from "../metrics/emf";
import { clusterMembers } from "../rds/cluster-members";
import { eventKey } from "../layout/event-key";
import { eventSourceId, parseRdsEvent, reportsDeletedLogFiles } from "../rds-events/rds-event";
import { putJson, putRejected, type BucketWriter } from "../s3/small-objects";
import { rdsEventsSettingsFromEnv, stageOf, type RdsEventsSettings } from "../settings";
import { invocationLoggers, writeLine, type InvocationContext, type Logger } from "./logger";

export type RdsEventResult = { status: "archived" | "rejected"; key: string } | { status: "ignored"; source?: string };

/** How long resolved cluster members are trusted before an unknown source id triggers a fresh lookup. */
const MEMBERS_TTL_MS = 60_000;

export function createRdsEventsHandler(sdk: AwsSdk, env: NodeJS.ProcessEnv = process.env) {
  let settings: RdsEventsSettings | undefined;
  let aws: AwsClients | undefined;
  let members = { at: -Infinity, ids: new Set<string>() };

  async function watched(id: string | undefined, now: number, log: Logger): Promise<boolean> {
    if (id === undefined) return false;
    const { instances, clusters } = settings!;
    if (instances.includes(id) || clusters.includes(id) || members.ids.has(id)) return true;
    if (clusters.length === 0 || now - members.at < MEMBERS_TTL_MS) return false;
    try {
      const ids = new Set<string>();
      for (const cluster of clusters) for (const m of await clusterMembers(aws!, cluster)) ids.add(m);
      members = { at: now, ids };
      return ids.has(id);
    } catch (err) {
      // Better an extra event in the archive than a lost one.
      log.warn("cluster members unknown; keeping the event", { source: id, error: String(err) });
      return true;
    }
  }

  const loggerFor = invocationLoggers(env);
  return async (event: unknown, context?: InvocationContext): Promise<RdsEventResult> => {
    const log = loggerFor(context);
    settings ??= rdsEventsSettingsFromEnv(env);
    const { bucket } = settings;
    aws ??= await createClients(sdk, env);
    const writer: BucketWriter = { sdk, s3: aws.s3, bucket };
    const now = Date.now();
    const metric = (name: string) => writeLine(emfLine({ Stage: stageOf(env) }, { [name]: { value: 1, unit: "Count" } }, now));
    const parsed = parseRdsEvent(event);
    if ("error" in parsed) {
      const key = await putRejected(writer, "rds-events", parsed.error, event, now);
      log.warn("rejected", { reason: parsed.error, key });
      metric("Rejected");
      return { status: "rejected", key };
    }
    const source = eventSourceId(parsed.ok);
    if (!(await watched(source, now, log))) return { status: "ignored", ...(source ? { source } : {}) };
    const key = eventKey(parsed.ok);
    await putJson(writer, key, parsed.ok);
    log.info("archived", { source, key });
    metric("EventsArchived");
    // The same alarm as the sync's gap ledger: RDS says it deleted log files that were not shipped yet.
    if (reportsDeletedLogFiles(parsed.ok)) metric(FILES_LOST_METRIC);
    return { status: "archived", key };
  };
}
