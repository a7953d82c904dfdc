// The package as another team installs it: test/consumer/ is a Pulumi program of its own, with rds-log-archiver as a
// dependency. The package is built as npm's prepare builds it (`npm test` builds it into out/ beside the tests; run
// alone, this test builds it into a directory of its own, so that it never installs a stale out/) and installed into
// the program's node_modules as npm installs a packed or git dependency (a directory holding package.json and the
// `files` it lists). The program is
// type-checked against the built declarations, then loaded under mocks from its own directory, and each function's
// deployment package, whose serialized code requires the package's modules by their paths, is loaded as Lambda would.
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { compiledCodeBuilt, suiteBuildsOut } from "../suite-build";
import { loadProgram, REPO, type LoadResult } from "./harness";
import { T } from "./resource-types";

const run = promisify(execFile);
const CONSUMER = path.join(REPO, "test", "consumer");
const INSTALLED = path.join(CONSUMER, "node_modules", "rds-log-archiver");
const UNPACKED = path.join(CONSUMER, "node_modules", ".functions");
/** Where a run of this file alone builds the package's out/. */
const BUILT = path.join(CONSUMER, "node_modules", ".build");
const tsc = (...args: string[]) => run(process.execPath, [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), ...args], { cwd: REPO });

/**
 * The package as its prepare script builds it, with its compiler options: the directory whose out/ holds it, the
 * repository's once `npm test` has built it there.
 */
async function buildPackage(): Promise<string> {
  fs.rmSync(path.join(CONSUMER, "node_modules"), { recursive: true, force: true });
  if (suiteBuildsOut()) {
    await compiledCodeBuilt();
    return REPO;
  }
  const out = path.join(BUILT, "out");
  await tsc("-p", "tsconfig.package.json", "--outDir", out, "--tsBuildInfoFile", path.join(out, ".package.tsbuildinfo"));
  return BUILT;
}

/** package.json and its `files`, as npm lays out an installed package; out/ from `built`. */
function installPackage(built: string): void {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
  fs.mkdirSync(INSTALLED, { recursive: true });
  fs.copyFileSync(path.join(REPO, "package.json"), path.join(INSTALLED, "package.json"));
  const root = (entry: string) => (entry.startsWith("out/") ? built : REPO);
  for (const entry of pkg.files as string[]) fs.cpSync(path.join(root(entry), entry), path.join(INSTALLED, entry), { recursive: true });
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
    installPackage(await buildPackage());
    await tsc("-p", path.join("test", "consumer"));
    [loaded, badArgs] = await Promise.all([
      loadProgram({ entry: "test/consumer/index.ts", config: config(), stack: "shared-infra", unpackFunctionsTo: UNPACKED }, { cwd: CONSUMER }),
      loadProgram({ entry: "test/consumer/index.ts", config: config({ "rds-log-archiver:retentionDays": "0" }), stack: "shared-infra" }, { cwd: CONSUMER }),
    ]);
  });

  it("type-checks against the built declarations, and creates the archive", () => {
    assert.ok(loaded.ok, `${loaded.error}\n${loaded.stderr}`);
    assert.deepEqual(loaded.outputs, {
      dashboardUrl: "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=orders-prod",
      bucket: "123456789012-orders-rds-logs-eu-west-1",
      workgroup: "orders-prod",
    });
  });

  it("resolves the package by name to the installed copy, not to this repository's sources", async () => {
    const { stdout } = await run(process.execPath, ["-e", 'process.stdout.write(require.resolve("rds-log-archiver"))'], { cwd: CONSUMER });
    assert.equal(stdout, path.join(INSTALLED, "out", "infra", "package.js"));
  });

  it("each function's package loads its handler, requiring the installed package's modules by path (which `exports` allows)", async () => {
    for (const fn of ["orders-sync", "orders-events", "orders-logs"]) {
      const dir = path.join(UNPACKED, fn);
      const code = fs.readFileSync(path.join(dir, "__index.js"), "utf8");
      if (fn === "orders-sync") assert.match(code, /require\("rds-log-archiver\/out\/archiver\/lambda\/handler\.js"\)/);
      const { stdout } = await run(process.execPath, ["-e", 'process.stdout.write(typeof require("./__index.js").handler)'], { cwd: dir });
      assert.equal(stdout, "function", fn);
    }
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

  it("turns its features on: Object Lock with versioning, Athena over its ids and folders, the dashboard", () => {
    assert.deepEqual(named(T.objectLock, "orders-archive").rule, { defaultRetention: { mode: "GOVERNANCE", days: 365 } });
    assert.equal(named(T.versioning, "orders-archive").versioningConfiguration.status, "Enabled");
    const table = named(T.glueTable, "orders-athena");
    assert.equal(table.parameters["projection.grp.values"], "orders-db,orders-aurora");
    assert.equal(table.parameters["projection.logtype.values"], "error,slowquery,audit");
    assert.equal(table.parameters["storage.location.template"], "s3://123456789012-orders-rds-logs-eu-west-1/${grp}/${logtype}/${dt}/${instance}/");
    assert.equal(loaded.resources!.filter((r) => r.type === T.namedQuery).length, 3);
    const body = JSON.parse(named(T.dashboard, "orders-dashboard").dashboardBody);
    assert.ok(JSON.stringify(body).includes("ArchiveLagSeconds"), "the dashboard shows the archive lag");
  });

  it("a bad argument fails before any resource, named as the argument", () => {
    assert.equal(badArgs.ok, false);
    assert.match(badArgs.error!, /RdsLogArchive "orders": args\.objectLockRetentionDays: required with objectLockMode GOVERNANCE/);
    assert.deepEqual(badArgs.resources, []);
  });
});
