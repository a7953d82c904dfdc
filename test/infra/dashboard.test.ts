// The dashboard's body and link, without Pulumi: which widgets, on which metrics; queue age only with a queue.
import * as assert from "node:assert/strict";
import { dashboardBody, dashboardUrl, type DashboardInputs } from "../../infra/dashboard";

const inputs: DashboardInputs = { stage: "live", region: "eu-west-1", intervalSeconds: 600, lagAlarmMinutes: 90, deadLetterQueues: [{ label: "events", queueName: "x-events-dlq" }] };
const titles = (d: DashboardInputs) => dashboardBody(d).widgets.map((w) => w.properties.title);

describe("infra/dashboard", () => {
  it("shows lag per instance, bytes, files, failures and deferred files, runs and dead letters", () => {
    assert.deepEqual(titles(inputs), [
      "Archive lag per instance (seconds)",
      "Bytes archived",
      "Files archived",
      "Failures and deferred files",
      "Runs",
      "Dead letters",
    ]);
    const [lag] = dashboardBody(inputs).widgets;
    assert.match(JSON.stringify(lag.properties.metrics), /SEARCH\('\{RdsLogArchiver,Instance,Stage\} MetricName=\\"ArchiveLagSeconds\\" Stage=\\"live\\"', 'Maximum', 600\)/);
    assert.deepEqual(lag.properties.annotations, { horizontal: [{ label: "lag alarm", value: 5400 }] });
  });

  it("adds the queue's age once a queue is given, and leaves out dead letters when there is no dead-letter queue", () => {
    const withQueue = titles({ ...inputs, deadLetterQueues: [], queueName: "work.fifo" });
    assert.ok(withQueue.includes("Work queue: age of the oldest message (seconds)"));
    assert.ok(!withQueue.includes("Dead letters"));
    assert.ok(!titles(inputs).some((t) => t.startsWith("Work queue")));
  });

  it("links to the dashboard in its partition's console", () => {
    assert.equal(dashboardUrl({ partition: "aws", region: "eu-west-1" }, "a-live"), "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=a-live");
    assert.match(dashboardUrl({ partition: "aws-cn", region: "cn-north-1" }, "a"), /^https:\/\/cn-north-1\.console\.amazonaws\.cn\//);
  });
});
