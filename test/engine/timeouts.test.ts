import { strict as assert } from "assert";
import { randomBytes } from "crypto";
import { runSync } from "../../archiver";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { startSilentEndpoint, type SilentEndpoint } from "../../local-aws/silent-endpoint";
import { BUCKET, HOUR, lines, startHarness, T0, type Harness } from "./harness";

/** Short timeouts keep these tests fast; the bounds below allow for retries and a loaded machine. */
const FAST = { connectTimeoutSeconds: 1, readTimeoutSeconds: 0.3 };
const RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
/**
 * The short read timeout holds for every request of a run: multipart copies here use parts of 256 KiB (S3's minimum
 * lowered, as s3rver does not enforce it), so that no part upload outlasts it on a loaded machine.
 */
const SMALL_PARTS = { partBytes: 256 * 1024, minPartBytes: 1024 };
const MiB = 1024 * 1024;

describe("timeouts: a silent endpoint fails the run in bounded time and loses nothing", function () {
  let h: Harness;
  let silent: SilentEndpoint;
  beforeEach(async () => {
    h = await startHarness();
    silent = await startSilentEndpoint();
    h.rds.addInstance("db1");
  });
  afterEach(async () => {
    await silent.stop();
    await h.stop();
  });

  const settings = { instances: ["db1"], ...FAST };

  it("an RDS endpoint that never answers fails the instance with a timeout naming the endpoint", async () => {
    const started = Date.now();
    const report = await runSync(
      { bucket: BUCKET, instances: ["db1"], clusters: [], include: [], concurrency: 4, activeRefreshMinutes: 0, dryRun: false, ...FAST },
      { sdk: loadAwsSdk(), env: { ...h.env, AWS_ENDPOINT_URL_RDS: silent.endpoint }, retry: RETRY },
    );
    const elapsed = Date.now() - started;
    assert.equal(report.ok, false);
    assert.equal(report.instances[0].error?.code, "TimeoutError");
    assert.match(report.instances[0].error?.message ?? "", new RegExp(`127\\.0\\.0\\.1:${new URL(silent.endpoint).port} \\(AWS_ENDPOINT_URL_RDS\\): .*timed out after 300 ms`));
    assert.equal(silent.connections(), RETRY.attempts, "each attempt is a new connection, none is waited on forever");
    assert.ok(elapsed < 15_000, `took ${elapsed} ms`);
  });

  it("an S3 endpoint that never answers fails the run naming the bucket and the endpoint", async () => {
    const report = await runSync(
      { bucket: BUCKET, instances: ["db1"], clusters: [], include: [], concurrency: 4, activeRefreshMinutes: 0, dryRun: false, ...FAST },
      { sdk: loadAwsSdk(), env: { ...h.env, AWS_ENDPOINT_URL_S3: silent.endpoint }, retry: RETRY },
    );
    assert.equal(report.ok, false);
    assert.deepEqual(report.errors.map((e) => [e.target, e.code]), [[BUCKET, "TimeoutError"]]);
    assert.match(report.errors[0].message, /127\.0\.0\.1:\d+ \(AWS_ENDPOINT_URL_S3\): .*timed out/);
  });

  it("a download that is never answered, or stalls mid-body, is retried like a reset", async () => {
    const big = randomBytes(2 * MiB); // a multipart upload
    h.rds.putFile("db1", { name: "trace/small.trc", lastWritten: T0 + HOUR, content: Buffer.from(lines("s", 50)) });
    h.rds.putFile("db1", { name: "trace/big.trc", lastWritten: T0 + HOUR, content: big });
    h.rds.injectFault({ on: "download", kind: "hang", file: "trace/small.trc" });
    h.rds.injectFault({ on: "download", kind: "stall-mid-body", file: "trace/big.trc" });
    const report = await h.sync(settings, { now: () => T0 + 2 * HOUR, s3Limits: SMALL_PARTS });
    assert.equal(report.ok, true, JSON.stringify(report.instances[0].failed));
    assert.equal(report.totals.copied, 2);
    const downloads = h.rds.requests.filter((r) => r.action === "download");
    assert.deepEqual(downloads.filter((r) => r.fault).map((r) => [r.file, r.fault, r.aborted]).sort(), [
      ["trace/big.trc", "stall-mid-body", true],
      ["trace/small.trc", "hang", true],
    ]);
    assert.deepEqual(await h.s3.openUploads(BUCKET), []);
  });

  it("a download the copy holds back itself while a part uploads is not a stall: no timeout, no second download", async () => {
    const big = randomBytes(4 * MiB); // the second part fills while the first is held, with most of the body unread
    h.rds.putFile("db1", { name: "trace/big.trc", lastWritten: T0 + HOUR, content: big });
    let read = 0;
    // The first part is held until the copy has read past the second, and then some ten read timeouts longer:
    // meanwhile the copy waits for the first part and reads nothing.
    h.s3.injectFault({
      matches: (r) => r.method === "PUT" && r.query.partNumber === "1",
      times: 1,
      before: async () => {
        for (const started = Date.now(); read < 2 * SMALL_PARTS.partBytes && Date.now() - started < 30_000; ) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 10 * FAST.readTimeoutSeconds * 1000));
      },
    });
    const report = await h.sync(settings, { now: () => T0 + 2 * HOUR, s3Limits: SMALL_PARTS, onEvent: (e) => void (e.type === "progress" && (read = e.bytesRead)) });
    assert.equal(report.ok, true, JSON.stringify(report.instances[0].failed));
    assert.equal(report.totals.copied, 1);
    assert.equal(h.rds.requests.filter((r) => r.action === "download").length, 1, "the held-back download was not timed out and retried");
  });

  it("a download that keeps stalling fails the file naming instance, file and endpoint, and leaves no open upload", async () => {
    h.rds.putFile("db1", { name: "trace/big.trc", lastWritten: T0 + HOUR, content: randomBytes(2 * MiB) });
    h.rds.injectFault({ on: "download", kind: "stall-mid-body", file: "trace/big.trc", times: 10 });
    const report = await h.sync(settings, { now: () => T0 + 2 * HOUR, retry: RETRY, s3Limits: SMALL_PARTS });
    const [failed] = report.instances[0].failed;
    assert.equal(failed.file, "trace/big.trc");
    assert.match(failed.reason, /^TimeoutError: download of db1 trace\/big\.trc from 127\.0\.0\.1:\d+: no data for 0\.3 s/);
    assert.deepEqual(await h.s3.openUploads(BUCKET), []);
    assert.deepEqual((await h.s3.listAll(BUCKET)).filter((o) => !o.key.startsWith("_state/")), []);
  });
});
