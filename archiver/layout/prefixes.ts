/**
 * The bucket's top-level key prefixes other than the archived ids' own (`<instance or cluster id>/`).
 * The runtime builds its keys from these, and the Pulumi program scopes each function's role to them
 * (infra/policies.ts through ./ownership.ts), so a key and the permission to write it cannot drift apart.
 */

/** The sync engine's per-instance state objects: `_state/<group>/<instance>.json`. */
export const STATE_PREFIX = "_state/";
/** Archived RDS events: `events/<YYYY>/<MM>/<DD>/<HH>/<event id>.json`. */
export const EVENTS_PREFIX = "events/";
/** Archived CloudWatch Logs deliveries: `cloudwatch/<log group>/<YYYY>/<MM>/<DD>/<HH>/...`. */
export const CLOUDWATCH_PREFIX = "cloudwatch/";
/** Payloads the event functions could not archive, kept with their error: `_rejected/<YYYY>/<MM>/<DD>/<sha256>.json`. */
export const REJECTED_PREFIX = "_rejected/";

/** The sync's hourly digests of what it stored, chained: `_digests/<group>/<instance>/<YYYY>/<MM>/<DD>/<HH>.json`. */
export const DIGESTS_PREFIX = "_digests/";
/** Files that left RDS before they were archived, one object per gap: `_gaps/<group>/<instance>/<YYYY>/<MM>/<DD>/...`. */
export const GAPS_PREFIX = "_gaps/";

/**
 * Athena's query results for the stack's workgroup: `_athena-results/<query id>.csv`. Written by Athena as the
 * querying user, never by a function; expired by the bucket's lifecycle (infra/archive-bucket.ts).
 */
export const QUERY_RESULTS_PREFIX = "_athena-results/";

/** The scheduled verify's reports: `_verify/<YYYY>/<MM>/<DD>/<HH>/<started, compact>.json` (UTC). */
export const VERIFY_REPORTS_PREFIX = "_verify/";

/** Every top-level prefix the archiver itself defines. No archived id may take one of these names. */
export const RESERVED_PREFIXES = [
  STATE_PREFIX, EVENTS_PREFIX, CLOUDWATCH_PREFIX, REJECTED_PREFIX, DIGESTS_PREFIX, GAPS_PREFIX, QUERY_RESULTS_PREFIX, VERIFY_REPORTS_PREFIX,
] as const;
