import { strict as assert } from "assert";
import { spawn } from "child_process";
import { createHash, randomBytes } from "crypto";
import * as fsSync from "fs";
import * as fs from "fs/promises";
import * as os from "os";
import * as path from "path";
import { childEnv } from "../../local-aws/env";
import { startSilentEndpoint } from "../../local-aws/silent-endpoint";
import { stateKey } from "../../archiver/layout/state-key";
import { parseManifest } from "../../archiver/planning/manifest";
import type { SyncReport } from "../../archiver/report";
import { BUCKET, HOUR, lines, startHarness, T0, type Harness } from "./harness";
import { BIN, compiledCodeBuilt, runCli as cli, type CliRun as Run } from "./cli-process";

describe("rds-log-archiver CLI, as a child process", function () {
  let h: Harness;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    await compiledCodeBuilt();
    h = await startHarness();
    env = childEnv(h.rds, h.s3);
    h.rds.addInstance("db1");
    // Real time here: the CLI reads the real clock, so files are dated in the past.
    const base = Date.now() - 5 * HOUR;
    h.rds.putFile("db1", { name: "trace/a b.trc", lastWritten: base, content: Buffer.from(lines("a", 10)) });
    h.rds.putFile("db1", { name: "slowquery/mysql-slowquery.log.3", lastWritten: base + 1, content: Buffer.from(lines("s", 10)) });
    h.rds.putFile("db1", { name: "slowquery/mysql-slowquery.log", lastWritten: base + 2, content: Buffer.from(lines("active", 10)) });
  });
  after(async () => h.stop());

  it("a usage error is one line and a pointer to --help, exit 2", async () => {
    for (const args of [["sync", "--instance", "db1"], ["sync", "--bucket", BUCKET, "--instance", "db1", "--frobnicate"], ["sync", "--bucket", BUCKET], ["copy"]]) {
      const run = await cli(args, env);
      assert.equal(run.code, 2, args.join(" "));
      assert.equal(run.stdout, "");
      const lines = run.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 2, run.stderr);
      assert.match(lines[0], /^rds-log-archiver: /);
      assert.match(lines[1], /^see rds-log-archiver( sync)? --help$/);
    }
    const bad = await cli(["sync", "--bucket", BUCKET, "--instance", "not_valid!"], env);
    assert.match(bad.stderr, /^rds-log-archiver: --instance: "not_valid!" is not a valid RDS identifier/);
  });

  it("--dry-run --json prints the plan and writes nothing", async () => {
    h.s3.resetRequests();
    const run = await cli(["sync", "--bucket", BUCKET, "--instance", "db1", "--dry-run", "--json"], env);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as SyncReport;
    assert.equal(report.dryRun, true);
    assert.deepEqual(report.instances[0].planned?.map((p) => p.file).sort(), ["slowquery/mysql-slowquery.log.3", "trace/a b.trc"]);
    assert.deepEqual(h.s3.requests.filter((r) => r.method !== "GET" && r.method !== "HEAD"), []);
  });

  it("syncs, reports JSON, exits 0; a second run skips everything", async () => {
    const run = await cli(["sync", "--bucket", BUCKET, "--instance", "db1", "--json"], env);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as SyncReport;
    assert.equal(report.totals.copied, 2);
    assert.equal(report.totals.bytesRead, Buffer.byteLength(lines("a", 10)) + Buffer.byteLength(lines("s", 10)));
    const again = await cli(["sync", "--bucket", BUCKET, "--instance", "db1"], env);
    assert.equal(again.code, 0, again.stderr);
    // listed, copied, already archived, waiting (the active slow query log), excluded, failed, deferred
    assert.match(again.stdout, /^db1 +3 +0 +2 +1 +0 +0 +0 +0 B /m);
    assert.match(again.stdout, /^ok: 1 instance\(s\), 0 copied, 2 already archived, 1 waiting, 0 excluded, 0 failed, 0 deferred; 0 B in \d+s \(0 B\/s\), 0 B stored$/m);
    assert.equal(again.stderr, "");
  });

  it("exits 1 and names the instance when one target fails, after syncing the others", async () => {
    const run = await cli(["sync", "--bucket", BUCKET, "--instance", "ghost-db", "--instance", "db1"], env);
    assert.equal(run.code, 1);
    // The problem once, on stderr, with what to do; the summary counts it.
    assert.match(run.stderr, /^rds-log-archiver: ghost-db: failed: DBInstanceNotFound: .*; check the instance id, --region and --profile$/m);
    assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
    assert.match(run.stdout, /^ghost-db +- +- +- +- +- +1 +- +- +- +error: DBInstanceNotFound$/m);
    assert.match(run.stdout, /^db1 +3 /m);
    assert.match(run.stdout, /^INCOMPLETE: 2 instance\(s\)/m);
  });

  it("a dry run's plan on stdout shows an instance that failed; a mistyped --include is warned of", async () => {
    // (db1's closed files are archived by the tests before: its active file waits.)
    const run = await cli(["sync", "--bucket", BUCKET, "--instance", "db1", "--instance", "ghost-db", "--include", "zzz/", "--include", "slowquery/", "--dry-run"], env);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^ghost-db +ERROR +DBInstanceNotFound \(below\)$/m);
    assert.match(run.stdout, /^ERROR ghost-db: DBInstanceNotFound: /m);
    assert.match(run.stdout, /^db1 +wait +\d+ B +slowquery\/mysql-slowquery\.log +active: /m);
    assert.match(run.stdout, /^skipped: \d+ already archived, 1 waiting \(active\), 1 excluded$/m);
    assert.equal(run.stderr, "rds-log-archiver: warning: --include zzz/ matched no listed file; check its spelling\n");
    for (const line of run.stdout.split("\n")) assert.ok(line.length <= 120, line);
  });

  it("a write to stdout that fails (a full device) is an error, not exit 0", async () => {
    const full = fsSync.openSync("/dev/full", "w");
    try {
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, "sync", "--bucket", BUCKET, "--instance", "db1", "--dry-run"], { env, stdio: ["ignore", full, "pipe"] });
        let stderr = "";
        child.stderr!.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stderr }));
      });
      assert.equal(run.code, 1);
      assert.equal(run.stderr, "rds-log-archiver: could not write to stdout: ENOSPC: no space left on device, write\n");
    } finally {
      fsSync.closeSync(full);
    }
  });

  it("writes a JSON report larger than a pipe's buffer whole before exiting", async () => {
    h.rds.addInstance("busy-db");
    for (let i = 0; i < 1500; i++) {
      h.rds.putFile("busy-db", { name: `trace/session_${String(i).padStart(5, "0")}_with_a_long_name.trc`, lastWritten: Date.now() - 5 * HOUR, content: Buffer.from("x\n") });
    }
    const run = await cli(["sync", "--bucket", BUCKET, "--instance", "busy-db", "--dry-run", "--json"], env);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.length > 200_000, `only ${run.stdout.length} bytes`);
    assert.equal((JSON.parse(run.stdout) as SyncReport).instances[0].planned?.length, 1500);
  });

  it("fails within its configured timeouts, naming instance and endpoint, when the RDS endpoint accepts and never answers", async () => {
    const silent = await startSilentEndpoint();
    try {
      const started = Date.now();
      const run = await cli(["sync", "--bucket", BUCKET, "--instance", "db1", "--connect-timeout", "1", "--read-timeout", "0.5"], { ...env, AWS_ENDPOINT_URL_RDS: silent.endpoint });
      const elapsed = Date.now() - started;
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`^rds-log-archiver: db1: failed: TimeoutError: 127\\.0\\.0\\.1:${new URL(silent.endpoint).port} \\(AWS_ENDPOINT_URL_RDS\\): .*500 ms.*; check the endpoint and the network`, "m"));
      // 6 attempts of 0.5 s and at most 7.75 s of backoff, plus the process's start; far from the 60 s default.
      assert.equal(silent.connections(), 6);
      assert.ok(elapsed < 40_000, `took ${elapsed} ms`);
    } finally {
      await silent.stop();
    }
  });

  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    it(`on ${signal} mid multipart upload: aborts the upload, saves what finished, prints what it stopped, exits ${code}`, async () => {
      const db = `${signal.toLowerCase()}-db`;
      h.rds.addInstance(db);
      const big = randomBytes(40 * 1024 * 1024); // incompressible: several 8 MiB parts
      const lastWritten = Date.now() - 5 * HOUR;
      h.rds.putFile(db, { name: "trace/big.trc", lastWritten, content: big });
      h.rds.putFile(db, { name: "trace/small.trc", lastWritten, content: Buffer.from(lines("small", 10)) });
      // Halfway through, the download stalls: the copy is certainly in flight when the signal comes.
      h.rds.injectFault({ on: "download", kind: "stall-mid-body", instance: db, file: "trace/big.trc" });
      const args = ["sync", "--bucket", BUCKET, "--instance", db];
      const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      const done = (test: (r: { method: string; path: string; query: string; status: number }) => boolean) => h.s3.requests.some((r) => r.path.includes(db) && r.status === 200 && test(r));
      const ready = () => done((r) => r.method === "PUT" && r.query.includes("partNumber")) && done((r) => r.method === "PUT" && r.path.endsWith("small.trc.gz"));
      for (let i = 0; i < 800 && !ready(); i++) await new Promise((r) => setTimeout(r, 25));
      assert.ok(ready(), "a part of the big file and the small file should have been uploaded");
      child.kill(signal);
      assert.equal(await exited, code, stderr);

      assert.match(stderr, new RegExp(`${signal}: aborting the copies in flight`));
      assert.match(stderr, new RegExp(`^rds-log-archiver: ${db} trace/big\\.trc: deferred: interrupted by ${signal} during the copy; nothing of it was stored`, "m"));
      assert.match(stdout, new RegExp(`^STOPPED \\(interrupted by ${signal}\\): 1 instance\\(s\\), 1 copied, 0 already archived, 0 waiting, 0 excluded, 0 failed, 1 deferred`, "m"));
      assert.deepEqual((await h.s3.openUploads(BUCKET)).filter((u) => u.key.startsWith(`${db}/`)), []);
      const visible = (await h.s3.listAll(BUCKET, { prefix: `${db}/` })).map((o) => o.key);
      assert.deepEqual(visible, [`${db}/trace/${new Date(lastWritten).toISOString().slice(0, 13).replace(/[-T]/g, "/")}/${db}/small.trc.gz`]);
      const state = parseManifest(await h.s3.getText(BUCKET, stateKey(db, db)));
      assert.deepEqual(Object.values(state.entries).map((e) => e.file), ["trace/small.trc"]);

      const again = await cli([...args, "--json"], env);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual((JSON.parse(again.stdout) as SyncReport).instances[0].copied.map((c) => c.file), ["trace/big.trc"]);
      const [object] = await h.s3.listAll(BUCKET, { prefix: `${db}/trace/`, pageSize: 1000 }).then((all) => all.filter((o) => o.key.endsWith("big.trc.gz")));
      assert.equal(object.metadata.sha256, createHash("sha256").update(big).digest("hex"));
    });
  }

  it("a run killed in the middle of a multipart upload leaves nothing visible; the next run archives the file whole", async () => {
    h.rds.addInstance("crash-db");
    const big = randomBytes(40 * 1024 * 1024); // incompressible: several 8 MiB parts
    h.rds.putFile("crash-db", { name: "trace/big.trc", lastWritten: Date.now() - 5 * HOUR, content: big });
    const args = ["sync", "--bucket", BUCKET, "--instance", "crash-db", "--json"];
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: "ignore" });
    const partUploaded = () => h.s3.requests.some((r) => r.method === "PUT" && r.query.includes("partNumber") && r.path.includes("crash-db"));
    for (let i = 0; i < 400 && !partUploaded(); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(partUploaded(), "the upload should have started");
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
    const visible = (await h.s3.listAll(BUCKET)).filter((o) => o.key.startsWith("crash-db/"));
    assert.deepEqual(visible, []);
    const again = await cli(args, env);
    assert.equal(again.code, 0, again.stderr);
    const [object] = (await h.s3.listAll(BUCKET)).filter((o) => o.key.startsWith("crash-db/"));
    assert.equal(object.metadata.sha256, createHash("sha256").update(big).digest("hex"));
  });
});

describe("rds-log-archiver CLI: region and credentials from the profile, as the AWS CLI takes them", function () {
  let h: Harness;
  let home: string;
  before(async () => {
    h = await startHarness({ region: "us-west-2" });
    h.rds.addInstance("db1");
    h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: Date.now() - 5 * HOUR, content: Buffer.from(lines("a", 10)) });
    home = await fs.mkdtemp(path.join(os.tmpdir(), "aws-home-"));
    await fs.mkdir(path.join(home, ".aws"));
    await fs.writeFile(path.join(home, ".aws", "config"), "[default]\nregion = eu-central-1\n\n[profile archive]\nregion = us-west-2\n\n[profile no-region]\noutput = json\n");
    const keys = "aws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n";
    await fs.writeFile(path.join(home, ".aws", "credentials"), `[archive]\n${keys}\n[no-region]\n${keys}`);
  });
  after(async () => {
    await h.stop();
    await fs.rm(home, { recursive: true, force: true });
  });

  /** Only AWS_PROFILE and HOME point at the settings: no AWS_REGION, no keys, the default file locations. */
  const profileEnv = (profile: string, extra: NodeJS.ProcessEnv = {}) =>
    childEnv(h.rds, h.s3, {
      HOME: home, AWS_PROFILE: profile, AWS_REGION: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined,
      AWS_CONFIG_FILE: undefined, AWS_SHARED_CREDENTIALS_FILE: undefined, ...extra,
    });

  it("syncs with only AWS_PROFILE set: the profile's region signs every request (the fake checks the scope)", async () => {
    h.rds.resetRequests();
    const run = await cli(["sync", "--bucket", BUCKET, "--instance", "db1", "--json"], profileEnv("archive"));
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal((JSON.parse(run.stdout) as SyncReport).totals.copied, 1);
    assert.deepEqual(h.rds.requests.filter((r) => r.status !== 200), []);
    assert.deepEqual(h.rds.requests.filter((r) => r.action === "download").map((r) => r.status), [200]);
  });

  it("AWS_REGION still wins over the profile's region", async () => {
    const run = await cli(["sync", "--bucket", BUCKET, "--instance", "db1", "--json"], profileEnv("archive", { AWS_REGION: "ap-south-1" }));
    assert.equal(run.code, 1);
    assert.match(run.stdout, /Credential should be scoped to \d+\/us-west-2\/rds\/aws4_request, not \S+\/ap-south-1\//);
  });

  it("could not start (exit 3), saying what to set, when neither AWS_REGION nor the profile has a region", async () => {
    const run = await cli(["sync", "--bucket", BUCKET, "--instance", "db1"], profileEnv("no-region"));
    assert.equal(run.code, 3);
    assert.equal(run.stdout, "");
    assert.equal(run.stderr, 'rds-log-archiver: no AWS region: set AWS_REGION, or `region` in the profile "no-region" of ~/.aws/config, or pass --region\n');
  });

  it("--profile takes the region from ~/.aws/config and wins over keys in the environment", async () => {
    h.rds.resetRequests();
    const env = profileEnv("no-region", { AWS_PROFILE: undefined, AWS_ACCESS_KEY_ID: "WRONG", AWS_SECRET_ACCESS_KEY: "WRONG" });
    const run = await cli(["sync", "--profile", "archive", "--bucket", BUCKET, "--instance", "db1", "--output", "json"], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(h.rds.requests.filter((r) => r.status !== 200), []);
  });

  it("--region wins over AWS_REGION", async () => {
    h.rds.resetRequests();
    const run = await cli(["--region", "us-west-2", "sync", "--bucket", BUCKET, "--instance", "db1", "--json"], profileEnv("archive", { AWS_REGION: "ap-south-1" }));
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(h.rds.requests.filter((r) => r.status !== 200), []);
  });
});
