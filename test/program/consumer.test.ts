// The package as another team installs it: test/consumer/ is a Pulumi program of its own, with rds-log-archiver as a
// dependency (linked into its node_modules as npm links a `file:` dependency). The package is built as npm's
// prepare builds it, the program is type-checked against the built declarations, then loaded under mocks.
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { loadProgram, REPO, type LoadResult } from "./harness";
import { T } from "./resource-types";

const run = promisify(execFile);
const CONSUMER = path.join(REPO, "test", "consumer");
const tsc = (project: string) => run(process.execPath, [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", project], { cwd: REPO });

function linkPackage(): void {
  const link = path.join(CONSUMER, "node_modules", "rds-log-archiver");
  fs.mkdirSync(path.dirname(link), { recursive: true });
  if (!fs.existsSync(link)) fs.symlinkSync(path.relative(path.dirname(link), REPO), link, "dir");
}

const config = (extra: Record<string, string> = {}) => ({ "aws:region": "eu-west-1", ...extra });

describe("the package in another team's program", function () {
  this.timeout(240_000);
  let loaded: LoadResult;
  let badArgs: LoadResult;
  const named = (type: string, name: string) => {
    const found = loaded.resources!.filter((r) => r.type === type && r.name === name);
    assert.equal(found.length, 1, `${type} ${name}: ${found.length}`);
    return found[0].inputs;
  };

  before(async () => {
    await tsc("tsconfig.package.json");
    linkPackage();
    await tsc(path.join("test", "consumer"));
    [loaded, badArgs] = await Promise.all([
      loadProgram({ entry: "test/consumer/index.ts", config: config(), stack: "shared-infra" }),
      loadProgram({ entry: "test/consumer/index.ts", config: config({ "rds-log-archiver:retentionDays": "0" }), stack: "shared-infra" }),
    ]);
  });

  it("type-checks against the built declarations, imports the package by name and creates the archive", () => {
    assert.ok(loaded.ok, `${loaded.error}\n${loaded.stderr}`);
    assert.deepEqual(loaded.outputs, {
      dashboardUrl: "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=orders-prod",
      bucket: "123456789012-orders-rds-logs-eu-west-1",
      workgroup: "orders-prod",
    });
    assert.equal(require.resolve("rds-log-archiver", { paths: [CONSUMER] }), path.join(REPO, "out", "infra", "package.js"));
  });

  it("names every child after the component, and every AWS name after the given project and stage", () => {
    const components = loaded.resources!.filter((r) => r.type.startsWith("rds-log-archiver:index:")).map((r) => `${r.type.split(":")[2]} ${r.name}`);
    assert.ok(components.includes("RdsLogArchive orders"));
    for (const c of components.filter((c) => c !== "RdsLogArchive orders")) assert.match(c, / orders-/);
    assert.equal(named(T.fn, "orders-sync").name, "orders-prod");
    assert.equal(named(T.fn, "orders-events").name, "orders-prod-events");
    assert.equal(named(T.fn, "orders-logs").name, "orders-prod-logs");
    assert.deepEqual(named(T.alarm, "orders-alarms-lag").dimensions, { Stage: "prod" });
  });

  it("turns every feature on: Object Lock with versioning, Athena over its ids and folders, a queue-age widget", () => {
    assert.deepEqual(named(T.objectLock, "orders-archive").rule, { defaultRetention: { mode: "GOVERNANCE", days: 365 } });
    assert.equal(named(T.versioning, "orders-archive").versioningConfiguration.status, "Enabled");
    const table = named(T.glueTable, "orders-athena");
    assert.equal(table.parameters["projection.grp.values"], "orders-db,orders-aurora");
    assert.equal(table.parameters["projection.logtype.values"], "error,slowquery,audit");
    assert.equal(table.parameters["storage.location.template"], "s3://123456789012-orders-rds-logs-eu-west-1/${grp}/${logtype}/${dt}/${instance}/");
    assert.equal(loaded.resources!.filter((r) => r.type === T.namedQuery).length, 3);
    const body = JSON.parse(named(T.dashboard, "orders-dashboard").dashboardBody);
    assert.ok(JSON.stringify(body).includes('"ApproximateAgeOfOldestMessage","QueueName","orders-prod-work.fifo"'));
  });

  it("a bad argument fails before any resource, named as the argument", () => {
    assert.equal(badArgs.ok, false);
    assert.match(badArgs.error!, /RdsLogArchive "orders": args\.objectLockRetentionDays: required with objectLockMode GOVERNANCE/);
    assert.deepEqual(badArgs.resources, []);
  });
});
