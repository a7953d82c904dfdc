/** How a test runs the sync engine: in-process (runSync), or as `pulumi up` ships it (the serialized function). */
export type Runner = "in-process" | "serialized";
export const RUNNERS: Runner[] = ["in-process", "serialized"];

/** What EventBridge hands the sync function on each tick. */
export const SCHEDULED_EVENT = { version: "0", source: "aws.events", "detail-type": "Scheduled Event", detail: {} };
