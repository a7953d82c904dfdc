// Another team's program (test/program/consumer.test.ts loads it under mocks): it installs rds-log-archiver and
// archives one database of its own, with every feature on, among its other resources.
import * as pulumi from "@pulumi/pulumi";
import { RdsLogArchive } from "rds-log-archiver";

export = async () => {
  const config = new pulumi.Config();
  const archive = await RdsLogArchive.create("orders", {
    bucketName: "orders-rds-logs",
    instances: ["orders-db"],
    clusters: ["orders-aurora"],
    include: ["error/", "slowquery/", "audit/"],
    allowedAccountIds: ["123456789012"],
    stage: "prod",
    project: "orders",
    athena: true,
    objectLockMode: "governance",
    objectLockRetentionDays: config.getNumber("retentionDays") ?? 365,
    logGroups: ["/aws/rds/cluster/orders-aurora/audit"],
    alarmEmail: "orders-oncall@example.com",
  });
  return { dashboardUrl: archive.dashboard.url, bucket: archive.bucket.bucket.bucket, workgroup: archive.athena!.workgroup.name };
};
