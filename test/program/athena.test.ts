// Athena and the dashboard as the all-options program registers them (setup.ts: athena on, include error/ and audit/).
import * as assert from "node:assert/strict";
import { ACCOUNT_ID, DEFAULT_REGION as REGION } from "./mocks";
import { KMS_KEY_ARN, resourcesOf, the } from "./setup";
import { T } from "./resource-types";

const BUCKET = `${ACCOUNT_ID}-prod-rds-logs-${REGION}`;

describe("program under mocks: Athena", () => {
  it("a table over the bucket whose projection lists the configured ids and include's folders", async () => {
    const table = (await the(T.glueTable)).inputs;
    assert.equal(table.databaseName, "rds_log_archiver_live");
    assert.equal(table.storageDescriptor.location, `s3://${BUCKET}/`);
    assert.deepEqual(table.partitionKeys.map((k: { name: string }) => k.name), ["grp", "logtype", "dt", "instance"]);
    assert.equal(table.parameters["projection.grp.values"], "prod-rds,reporting-rds,orders-aurora");
    assert.equal(table.parameters["projection.logtype.values"], "error,audit");
    assert.equal(table.parameters["projection.instance.type"], "injected");
    assert.equal(table.parameters["storage.location.template"], `s3://${BUCKET}/\${grp}/\${logtype}/\${dt}/\${instance}/`);
  });

  it("a workgroup that writes its results under _athena-results/ with the bucket's KMS key, and enforces it", async () => {
    const { name, configuration } = (await the(T.workgroup)).inputs;
    assert.equal(name, "rds-log-archiver-live");
    assert.equal(configuration.enforceWorkgroupConfiguration, true);
    assert.deepEqual(configuration.resultConfiguration, {
      outputLocation: `s3://${BUCKET}/_athena-results/`,
      encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: KMS_KEY_ARN },
    });
  });

  it("saved queries for the logtypes the table projects, each filtering the injected instance by equality", async () => {
    const queries = (await resourcesOf(T.namedQuery)).map((q) => q.inputs);
    assert.deepEqual(queries.map((q) => q.name).sort(), ["Audit events by user", "Errors in the last hour for an instance"]);
    for (const q of queries) {
      assert.equal(q.workgroup, "rds-log-archiver-live");
      assert.match(q.query, /FROM "rds_log_archiver_live"\."rds_logs"/);
      assert.match(q.query, /instance = \?/);
      assert.match(q.query, /logtype = '(error|audit)'/);
      assert.match(q.query, /dt (>=|BETWEEN)/);
    }
  });

  it("a dashboard named like the function, its dead-letter widget on the stack's two queues", async () => {
    const { dashboardName, dashboardBody } = (await the(T.dashboard)).inputs;
    assert.equal(dashboardName, "rds-log-archiver-live");
    const widgets = JSON.parse(dashboardBody).widgets;
    const deadLetters = widgets.find((w: { properties: { title: string } }) => w.properties.title === "Dead letters");
    assert.deepEqual(deadLetters.properties.metrics.map((m: string[]) => m[3]), ["rds-log-archiver-live-events-dlq", "rds-log-archiver-live-logs-dlq"]);
    assert.equal(widgets.every((w: { properties: { region: string } }) => w.properties.region === REGION), true);
  });
});
