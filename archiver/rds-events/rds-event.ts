/** An RDS event from EventBridge: the envelope checks, and which database it is about. Its key: archiver/layout/event-key.ts. */

export interface RdsEvent {
  id: string;
  time: string;
  source: string;
  "detail-type"?: string;
  detail?: { SourceIdentifier?: string; SourceArn?: string; SourceType?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export type Parsed<T> = { ok: T } | { error: string };

/** Checks the envelope fields the archive depends on. */
export function parseRdsEvent(event: unknown): Parsed<RdsEvent> {
  if (typeof event !== "object" || event === null || Array.isArray(event)) return { error: "the event is not a JSON object" };
  const e = event as Partial<RdsEvent>;
  if (typeof e.id !== "string" || e.id.trim() === "") return { error: "the event has no id" };
  if (typeof e.time !== "string" || Number.isNaN(Date.parse(e.time))) return { error: "the event has no valid time" };
  if (e.source !== "aws.rds") return { error: `the event's source is ${JSON.stringify(e.source)}, not aws.rds` };
  return { ok: e as RdsEvent };
}

/** The RDS resource an event is about: an instance or cluster identifier. */
export function eventSourceId(event: RdsEvent): string | undefined {
  const id = event.detail?.SourceIdentifier;
  if (typeof id === "string" && id) return id;
  const arn = event.detail?.SourceArn ?? (Array.isArray(event.resources) ? event.resources[0] : undefined);
  return typeof arn === "string" ? arn.split(":").pop() : undefined;
}

/**
 * Events Aurora sends when it deletes database log files it had not yet published (Aurora User Guide, "Planning
 * storage for Aurora database log files"): RDS-EVENT-0610 past their retention period, RDS-EVENT-0611 because
 * they used more storage than the instance allows. The guide ties them to publishing to CloudWatch Logs, so they
 * may not come for instances that do not export logs there; the sync's gap ledger counts the files either way.
 */
export const LOG_FILES_DELETED_EVENT_IDS: readonly string[] = ["RDS-EVENT-0610", "RDS-EVENT-0611"];

/** Whether the event says RDS deleted log files before they were shipped. */
export function reportsDeletedLogFiles(event: RdsEvent): boolean {
  const id = event.detail?.EventID;
  return typeof id === "string" && LOG_FILES_DELETED_EVENT_IDS.includes(id);
}
