/** The instances a run syncs: every named instance, and every current member of every named cluster. */
import type { AwsClients } from "../aws-clients";
import { errorCode, errorMessage } from "../errors";
import { clusterMembers } from "../rds/cluster-members";
import type { SyncReport } from "../report";
import type { SyncSettings } from "../settings";
import { sleep, withRetry, type RetryPolicy } from "./retry";
import type { InstanceTarget } from "./sync-instance";

/**
 * Cluster members first, so an instance named on its own and as a member of a named cluster is
 * archived once, under the cluster. With `spacingMs`, the DescribeDBClusters calls start at least that far
 * apart, so that a stage of many clusters does not spend RDS's request budget in one burst.
 */
export async function resolveTargets(
  aws: AwsClients,
  settings: Pick<SyncSettings, "instances" | "clusters">,
  retry: RetryPolicy,
  errors: SyncReport["errors"],
  spacingMs = 0,
): Promise<InstanceTarget[]> {
  const targets = new Map<string, InstanceTarget>();
  for (const [n, cluster] of settings.clusters.entries()) {
    if (n > 0 && spacingMs > 0) await sleep(spacingMs);
    try {
      for (const instance of await withRetry(retry, () => clusterMembers(aws, cluster))) {
        if (!targets.has(instance)) targets.set(instance, { instance, group: cluster });
      }
    } catch (err) {
      errors.push({ target: cluster, code: errorCode(err), message: errorMessage(err) });
    }
  }
  for (const instance of settings.instances) {
    if (!targets.has(instance)) targets.set(instance, { instance, group: instance });
  }
  return [...targets.values()];
}
