/**
 * "Could not start": every problem found before anything is read or written is one line on stderr, nothing
 * on stdout, and exit 3, distinct from a run in which something failed (1). The first cases run the CLI as
 * a child process; the rest call main() with the same parts (real HTTP to the fakes), which is much faster.
 */
import { strict as assert } from "assert";
import { main } from "../../archiver/cli/main";
import { EXIT } from "../../archiver/cli/exit-codes";
import { childEnv } from "../../local-aws/env";
import { BUCKET, HOUR, lines, startHarness, type Harness } from "./harness";
import { runCli as cli } from "./cli-process";

async function inProcess(args: string[], env: NodeJS.ProcessEnv) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(args, { stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t), env });
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
}

describe("rds-log-archiver: could not start", function () {
  let h: Harness;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    h = await startHarness();
    env = childEnv(h.rds, h.s3);
    h.rds.addInstance("db1");
    h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: Date.now() - 5 * HOUR, content: Buffer.from(lines("a", 10)) });
  });
  after(async () => h.stop());
  beforeEach(() => {
    h.s3.resetRequests();
    h.rds.resetRequests();
    h.s3.clearFaults();
  });
  const nothingSent = () => {
    assert.deepEqual(h.rds.requests, []);
  };

  it("a bucket given as an s3:// URL: exit 3, one line with the name to pass, no request sent (child process)", async () => {
    const run = await cli(["sync", "--bucket", `s3://${BUCKET}`, "--instance", "db1"], env);
    assert.equal(run.code, EXIT.couldNotStart);
    assert.equal(run.stdout, "");
    assert.equal(run.stderr, `rds-log-archiver: --bucket: "s3://${BUCKET}" is a URL, not a bucket name: pass the name alone, e.g. ${BUCKET}\n`);
    assert.deepEqual(h.s3.requests, []);
    nothingSent();
  });

  it("an endpoint without a scheme names the variable and the endpoint (child process)", async () => {
    const run = await cli(["sync", "--bucket", BUCKET, "--instance", "db1"], { ...env, AWS_ENDPOINT_URL_RDS: "localhost:1234" });
    assert.equal(run.code, EXIT.couldNotStart);
    assert.equal(run.stdout, "");
    assert.equal(run.stderr, 'rds-log-archiver: AWS_ENDPOINT_URL_RDS="localhost:1234" is not a URL for the RDS endpoint: give it a scheme, e.g. http://localhost:1234\n');
  });

  it("bucket names S3 refuses, each one line", async () => {
    const cases: [string, RegExp][] = [
      ["Archive_Bucket", /^rds-log-archiver: --bucket: "Archive_Bucket" may contain only lower-case letters, digits, dots and hyphens$/],
      ["Archive-Bucket", /^rds-log-archiver: --bucket: "Archive-Bucket" has upper-case letters; bucket names are lower case: archive-bucket$/],
      ["ab", /is 2 characters; a bucket name has 3 to 63$/],
      ["archive..bucket", /two dots in a row$/],
      ["-archive", /must start and end with a letter or digit$/],
      ["192.168.1.1", /IP address/],
      ["xn--archive", /starts with "xn--", which S3 reserves$/],
      ["archive/logs", /contains "\/": pass the bucket name alone/],
    ];
    for (const [bucket, message] of cases) {
      const run = await inProcess(["sync", "--bucket", bucket, "--instance", "db1"], env);
      assert.equal(run.code, EXIT.couldNotStart, bucket);
      assert.equal(run.stdout, "");
      assert.match(run.stderr, message);
      assert.equal(run.stderr.split("\n").length, 1);
    }
    assert.deepEqual(h.s3.requests, []);
    nothingSent();
  });

  it("no such bucket, and access denied on the bucket: one HeadBucket, then exit 3", async () => {
    const missing = await inProcess(["sync", "--bucket", "no-such-archive", "--instance", "db1"], env);
    assert.equal(missing.code, EXIT.couldNotStart);
    assert.match(missing.stderr, /^rds-log-archiver: the bucket no-such-archive does not exist in \S+: check --bucket/);
    h.s3.injectFault({ matches: (r) => r.method === "HEAD", code: "AccessDenied" });
    const denied = await inProcess(["sync", "--bucket", BUCKET, "--instance", "db1"], env);
    assert.equal(denied.code, EXIT.couldNotStart);
    assert.match(denied.stderr, new RegExp(`^rds-log-archiver: access denied on the bucket ${BUCKET} \\(HeadBucket: 403\\): these credentials lack s3:ListBucket`));
    assert.deepEqual(h.s3.requests.map((r) => r.method), ["HEAD", "HEAD"]);
    nothingSent();
  });

  it("no credentials anywhere (child process: the SDK's chain reads the process environment)", async () => {
    const run = await cli(["sync", "--bucket", BUCKET, "--instance", "db1"], { ...env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    assert.equal(run.code, EXIT.couldNotStart);
    assert.match(run.stderr, /^rds-log-archiver: no AWS credentials found: pass --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID/);
    assert.deepEqual(h.s3.requests, []);
  });

  it("--version answers in the AWS CLI's shape, exit 0", async () => {
    const run = await inProcess(["--version"], env);
    assert.equal(run.code, EXIT.ok);
    assert.match(run.stdout, /^rds-log-archiver\/\d+\.\d+\.\d+ node\/\d+\.\d+\.\d+ \w+\/\w+$/);
  });

  it("--help lists the exit codes", async () => {
    for (const args of [["--help"], ["sync", "--help"]]) {
      const run = await inProcess(args, env);
      assert.equal(run.code, EXIT.ok);
      assert.match(run.stdout, /Exit status:\n  0 .*\n  1 .*\n  2 .*\n  3 +could not start/);
    }
  });
});

describe("rds-log-archiver: --quiet, --verbose, an endpoint that refuses", function () {
  let h: Harness;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    h = await startHarness();
    env = childEnv(h.rds, h.s3);
    h.rds.addInstance("db1");
    h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: Date.now() - 5 * HOUR, content: Buffer.from(lines("a", 10)) });
  });
  after(async () => h.stop());

  it("--verbose shows each retry (throttling named as such) and each copy's timing on stderr", async () => {
    h.rds.injectFault({ on: "describe", kind: "throttle", times: 1 });
    const run = await inProcess(["sync", "--bucket", BUCKET, "--instance", "db1", "--verbose"], env);
    assert.equal(run.code, EXIT.ok, run.stderr);
    assert.match(run.stderr, /^throttled: Throttling: .*; attempt 2 of 6 in \d+ ms$/m);
    assert.match(run.stderr, /^copied db1 trace\/a\.trc: \d+ B in \d+s \(.*\/s\), \d+ B stored$/m);
    assert.match(run.stderr, /^rds-log-archiver: ran in \d+ ms; /m);
  });

  it("--quiet prints nothing when all is well; the preflight's HeadBucket is the run's only one", async () => {
    h.s3.resetRequests();
    const run = await inProcess(["sync", "--bucket", BUCKET, "--instance", "db1", "--quiet"], env);
    assert.deepEqual(run, { code: EXIT.ok, stdout: "", stderr: "" });
    assert.equal(h.s3.requests.filter((r) => r.method === "HEAD" && r.path.replace(/\/$/, "") === `/${BUCKET}`).length, 1, JSON.stringify(h.s3.requests.map((r) => `${r.method} ${r.path}`)));
  });

  it("an RDS endpoint that refuses connections: the instance's one line names the endpoint, its variable and what to check", async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = require("net").createServer();
      server.listen(0, "127.0.0.1", () => {
        const port = server.address().port;
        server.close(() => resolve(port));
      });
    });
    const run = await inProcess(["sync", "--bucket", BUCKET, "--instance", "db1"], { ...env, AWS_ENDPOINT_URL_RDS: `http://127.0.0.1:${closed}` });
    assert.equal(run.code, EXIT.failed);
    assert.match(
      run.stderr,
      new RegExp(`^rds-log-archiver: db1: failed: ECONNREFUSED: 127\\.0\\.0\\.1:${closed} \\(AWS_ENDPOINT_URL_RDS\\): connect ECONNREFUSED .*; check the endpoint and the network; the next run tries again$`),
    );
    assert.equal(run.stderr.split("\n").length, 1);
  });
});
