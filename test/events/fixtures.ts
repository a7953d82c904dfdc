import { gzipSync } from "zlib";
import type { SubscriptionBatch } from "../../archiver/log-subscriptions/decode";

/** Payloads shaped like the ones CloudWatch Logs and EventBridge deliver. */
export function subscriptionEvent(payload: unknown): { awslogs: { data: string } } {
  return { awslogs: { data: gzipSync(JSON.stringify(payload)).toString("base64") } };
}

export const T = Date.UTC(2024, 9, 1, 12, 34, 56);

export function dataMessage(events: unknown[], overrides: Partial<SubscriptionBatch> = {}) {
  return {
    owner: "123456789012",
    logGroup: "/aws/rds/instance/prod-rds/error",
    logStream: "prod-rds",
    subscriptionFilters: ["rds-log-archiver"],
    messageType: "DATA_MESSAGE",
    logEvents: events,
    ...overrides,
  };
}

export const rdsEvent = {
  version: "0",
  id: "12a345b6-78c9-01d2-34e5-123f4ghi5j6k",
  "detail-type": "RDS DB Instance Event",
  source: "aws.rds",
  account: "123456789012",
  time: "2024-10-01T19:34:09Z",
  region: "us-east-1",
  resources: ["arn:aws:rds:us-east-1:123456789012:db:prod-rds"],
  detail: {
    EventCategories: ["notification"],
    SourceType: "DB_INSTANCE",
    SourceArn: "arn:aws:rds:us-east-1:123456789012:db:prod-rds",
    Date: "2024-10-01T19:34:09.293Z",
    Message: "DB instance stopped",
    SourceIdentifier: "prod-rds",
    EventID: "RDS-EVENT-0087",
  },
};
