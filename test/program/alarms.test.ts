// Run-health alarms under mocks (setup.ts: rate(10 minutes), lagAlarmMinutes 90, an alarm email).
import * as assert from "node:assert/strict";
import { alarmPeriod } from "../../infra/alarms";
import { ACCOUNT_ID, DEFAULT_REGION as REGION } from "./mocks";
import { resourcesOf, the } from "./setup";
import { T } from "./resource-types";

const PREFIX = "rds-log-archiver-live";
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT_ID}:${PREFIX}-alarms`;
const ALARM = T.alarm;

/** The settings an alarm is made of; descriptions are checked separately. */
async function alarm(name: string) {
  const { alarmDescription, ...settings } = (await the(ALARM, `alarms-${name}`)).inputs;
  assert.ok(typeof alarmDescription === "string" && alarmDescription.length > 40, `alarm ${name} explains itself`);
  return settings;
}

const actions = { alarmActions: [TOPIC_ARN], okActions: [TOPIC_ARN] };
const stage = { namespace: "RdsLogArchiver", dimensions: { Stage: "live" } };

describe("run-health alarms under mocks", () => {
  it("notify one SNS topic, to which the configured address is subscribed by email", async () => {
    assert.equal((await the(T.topic, "alarms")).inputs.name, `${PREFIX}-alarms`);
    const subscription = (await the(T.topicSubscription, "alarms")).inputs;
    assert.deepEqual([subscription.topic, subscription.protocol, subscription.endpoint], [TOPIC_ARN, "email", "dba-oncall@example.com"]);
  });

  it("any failure: Failures summed over one schedule interval above 0", async () => {
    assert.deepEqual(await alarm("failures"), {
      name: `${PREFIX}-failures`,
      ...stage,
      metricName: "Failures",
      statistic: "Sum",
      period: 600,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      ...actions,
    });
  });

  it("archive lag: the largest ArchiveLagSeconds of an interval above lagAlarmMinutes", async () => {
    assert.deepEqual(await alarm("lag"), {
      name: `${PREFIX}-archive-lag`,
      ...stage,
      metricName: "ArchiveLagSeconds",
      statistic: "Maximum",
      period: 600,
      evaluationPeriods: 1,
      threshold: 90 * 60,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      ...actions,
    });
  });

  it("no successful run in 3 intervals: SuccessfulRuns below 1, and no data at all counts as breaching", async () => {
    assert.deepEqual(await alarm("no-successful-run"), {
      name: `${PREFIX}-no-successful-run`,
      ...stage,
      metricName: "SuccessfulRuns",
      statistic: "Sum",
      period: 1800,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
      ...actions,
    });
  });

  it("files lost: FilesLost above 0 in 5 minutes, from the sync's gap ledger or an RDS event; quiet means fine", async () => {
    assert.deepEqual(await alarm("files-lost"), {
      name: `${PREFIX}-files-lost`,
      ...stage,
      metricName: "FilesLost",
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      ...actions,
    });
  });

  it("rejected payloads: Rejected above 0 in 5 minutes; quiet means fine", async () => {
    assert.deepEqual(await alarm("rejected"), {
      name: `${PREFIX}-rejected`,
      ...stage,
      metricName: "Rejected",
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      ...actions,
    });
  });

  for (const label of ["events", "logs"]) {
    it(`dead letters: a message waiting in the ${label} dead-letter queue`, async () => {
      assert.deepEqual(await alarm(`${label}-dead-letters`), {
        name: `${PREFIX}-${label}-dead-letters`,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: `${PREFIX}-${label}-dlq` },
        statistic: "Maximum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        ...actions,
      });
    });
  }

  it("registers exactly these nine alarms", async () => {
    assert.equal((await resourcesOf(ALARM)).length, 9);
  });

  it("periods are whole minutes within CloudWatch's 7-day evaluation window", () => {
    assert.equal(alarmPeriod(60), 60);
    assert.equal(alarmPeriod(90), 120);
    assert.equal(alarmPeriod(3 * 86400), 3 * 86400);
    assert.equal(alarmPeriod(3 * 7 * 86400), 7 * 86400);
  });
});
