import type { AwsClients } from "../aws-clients";

/** The current member instances of an Aurora cluster, resolved at run time so new replicas are picked up. */
export async function clusterMembers(aws: AwsClients, clusterId: string): Promise<string[]> {
  const out = await aws.rds.send(new aws.sdk.rds.DescribeDBClustersCommand({ DBClusterIdentifier: clusterId }));
  const cluster = (out.DBClusters ?? []).find((c) => c.DBClusterIdentifier === clusterId) ?? out.DBClusters?.[0];
  if (!cluster) throw Object.assign(new Error(`cluster ${clusterId} not found`), { name: "DBClusterNotFoundFault" });
  return (cluster.DBClusterMembers ?? []).map((m) => m.DBInstanceIdentifier).filter((id): id is string => !!id);
}
