/**
 * Which function writes which part of the bucket, and how. The IAM policies of the three functions are built
 * from this table only, so a prefix added for a new feature is reachable by exactly the function it is given to.
 */
import { archivePrefix } from "./archive-key";
import { CLOUDWATCH_PREFIX, EVENTS_PREFIX, QUERY_RESULTS_PREFIX, REJECTED_PREFIX, VERIFY_REPORTS_PREFIX } from "./prefixes";
import { digestGroupPrefix } from "./digest-key";
import { gapGroupPrefix } from "./gap-key";
import { statePrefix } from "./state-key";

/** The stack's functions that touch the bucket. */
export const WRITERS = ["sync", "events", "logs", "verify"] as const;
export type Writer = (typeof WRITERS)[number];

/**
 * What a function does under a prefix:
 * - `archive`: read, write (multipart too) and delete: the sync engine replaces an object it archived earlier;
 * - `state`: read and overwrite, never delete;
 * - `put`: single-object writes only, never read, list or delete;
 * - `once`: create and read back, never delete: objects written once (the digests; the writer refuses to overwrite).
 * - `read`: read only (the scheduled verify reads the archive, the digests and the gap ledger).
 */
export type PrefixAccess = "archive" | "state" | "put" | "once" | "read";

export interface PrefixGrant {
  prefix: string;
  access: PrefixAccess;
}

/**
 * Prefixes more than one function may write. `_rejected/` is put-only for everyone and content-addressed
 * (the key is the payload's hash), so two writers can only ever write the same bytes to the same key.
 */
export const SHARED_PREFIXES: readonly string[] = [REJECTED_PREFIX];

/**
 * Prefixes a service writes on the stack's behalf, never a function: no function role is granted them. Athena writes
 * query results as the user who runs the query, into the workgroup's output location.
 */
export const SERVICE_PREFIXES: Readonly<Record<string, string>> = { [QUERY_RESULTS_PREFIX]: "the Athena workgroup" };

/** The archived ids: every configured instance and cluster (a cluster's members are filed under the cluster). */
export interface ArchivedIds {
  instances: readonly string[];
  clusters: readonly string[];
}

/** The prefixes a function may reach, and how. Every prefix ends with `/`, so `prod/` never covers `prod-rds/`. */
export function prefixGrants(writer: Writer, ids: ArchivedIds): PrefixGrant[] {
  switch (writer) {
    case "sync": {
      const groups = [...new Set([...ids.instances, ...ids.clusters])];
      return [
        ...groups.map((g): PrefixGrant => ({ prefix: archivePrefix(g), access: "archive" })),
        ...groups.map((g): PrefixGrant => ({ prefix: statePrefix(g), access: "state" })),
        ...groups.map((g): PrefixGrant => ({ prefix: digestGroupPrefix(g), access: "once" })),
        ...groups.map((g): PrefixGrant => ({ prefix: gapGroupPrefix(g), access: "put" })),
      ];
    }
    case "events":
      return [{ prefix: EVENTS_PREFIX, access: "put" }, { prefix: REJECTED_PREFIX, access: "put" }];
    case "logs":
      return [{ prefix: CLOUDWATCH_PREFIX, access: "put" }, { prefix: REJECTED_PREFIX, access: "put" }];
    case "verify": {
      const groups = [...new Set([...ids.instances, ...ids.clusters])];
      return [
        // The state only for the digest chain's head (the newest digest's sha256).
        ...groups.flatMap((g): PrefixGrant[] => [archivePrefix(g), statePrefix(g), digestGroupPrefix(g), gapGroupPrefix(g)].map((prefix) => ({ prefix, access: "read" }))),
        { prefix: VERIFY_REPORTS_PREFIX, access: "put" },
      ];
    }
  }
}
