// End to end: the code `pulumi up` would ship, run for real.
//
// The live stack is loaded under mocks exactly as committed (Pulumi.yaml defaults + Pulumi.live.yaml).
// The Function's `code` archive holds the serialized handler, `__index.js`. That file is run in a
// separate Node process with the environment the stack gives the function, pointed at a fake RDS and
// s3rver, and the objects it wrote are checked.
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { childEnv } from "../fakes/env";
import { FakeRds } from "../fakes/fake-rds";
import { LocalS3 } from "../fakes/local-s3";
import { loadProgram, REPO, stackFileConfig } from "./harness";

const HANDLER_SOURCE = path.join(REPO, "archiver", "lambda", "handler.ts");
const REPORT_MARKER = "@@sync-report@@";

/** Requires the serialized handler and invokes it the way Lambda does: (event, context), no callback. */
const INVOKE = `
const { handler } = require(process.argv[1]);
handler({ "detail-type": "Scheduled Event", source: "aws.events" }, { getRemainingTimeInMillis: () => 600000, awsRequestId: "e2e" })
  .then((report) => process.stdout.write("${REPORT_MARKER}" + JSON.stringify(report) + "\\n"))
  .catch((err) => { console.error(err); process.exit(1); });
`;

function run(file: string, env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["-e", INVOKE, file], { env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ stdout, stderr, code: error ? ((error.code as number) ?? 1) : 0 }),
    );
  });
}

describe("end to end: the serialized function against a fake RDS and a local S3", function () {
  this.timeout(180_000);

  let rds: FakeRds | undefined;
  let s3: LocalS3 | undefined;
  let dir: string | undefined;

  before(function () {
    if (!fs.existsSync(HANDLER_SOURCE)) this.skip(); // the engine has not landed yet
  });

  after(async () => {
    await rds?.stop();
    await s3?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("archives a closed log file under its content's key, gzipped, with its metadata; a multipart one too", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rds-log-archiver-e2e-"));
    const handlerFile = path.join(dir, "__index.js");

    const loaded = await loadProgram({
      config: stackFileConfig("live"),
      stack: "live",
      region: "us-east-1",
      writeHandlerTo: handlerFile,
    });
    assert.ok(loaded.ok, `the live stack did not load: ${loaded.error}\n${loaded.stderr}`);
    const fn = loaded.resources!.find((r) => r.type === "aws:lambda/function:Function" && r.name === "sync")!;
    const variables: Record<string, string> = fn.inputs.environment.variables;
    const bucket = variables.ARCHIVE_BUCKET;
    assert.equal(bucket, "123456789012-prod-rds-logs-us-east-1");
    assert.match(fs.readFileSync(handlerFile, "utf8"), /exports\.handler = /);

    rds = await FakeRds.start({ region: "us-east-1" });
    s3 = await LocalS3.start({ buckets: [bucket] });
    const closed = Buffer.from(
      "2024-10-01 12:00:01 UTC::@:[101]:LOG:  database system is ready to accept connections\n" +
        "2024-10-01 12:59:58 UTC::@:[102]:LOG:  checkpoint complete: wrote 42 buffers\n",
    );
    rds.addInstance("prod-rds");
    rds.putFile("prod-rds", {
      name: "error/postgresql.log.2024-10-01-12",
      lastWritten: Date.UTC(2024, 9, 1, 12, 59, 58),
      content: closed,
    });
    rds.putFile("prod-rds", {
      name: "error/postgresql.log.2024-10-01-13",
      lastWritten: Date.UTC(2024, 9, 1, 13, 0, 5),
      content: Buffer.from("2024-10-01 13:00:05 UTC::@:[103]:LOG:  checkpoint starting: time\n"),
    });

    // incompressible and over one 8 MiB part: a multipart upload, then the copy onto itself that adds sha256
    const large = randomBytes(10 * 1024 * 1024);
    rds.putFile("prod-rds", { name: "trace/large.trc", lastWritten: Date.UTC(2024, 9, 1, 12, 30), content: large });

    const env = childEnv(rds, s3, { ...variables, NODE_PATH: path.join(REPO, "node_modules") });
    const result = await run(handlerFile, env);
    const line = result.stdout.split("\n").find((l) => l.startsWith(REPORT_MARKER));
    assert.ok(line, `the handler printed no report (exit ${result.code}):\n${result.stderr}\n${result.stdout}`);
    const report = JSON.parse(line.slice(REPORT_MARKER.length));
    assert.equal(report.bucket, bucket);
    assert.equal(report.ok, true, JSON.stringify(report, null, 2));

    const key = "prod-rds/error/2024/10/01/12/prod-rds/postgresql.log.2024-10-01-12.gz";
    const objects = await s3.listAll(bucket);
    const object = objects.find((o) => o.key === key);
    assert.ok(object, `no ${key} among ${objects.map((o) => o.key).join(", ")}`);
    assert.equal(await s3.getText(bucket, key, { gunzip: true }), closed.toString());
    assert.equal(object.metadata["rds-instance"], "prod-rds");
    assert.equal(object.metadata.sha256, createHash("sha256").update(closed).digest("hex"));
    assert.ok(objects.some((o) => o.key.startsWith("_state/")), "the run wrote no state object");
    const largeObject = objects.find((o) => o.key === "prod-rds/trace/2024/10/01/12/prod-rds/large.trc.gz");
    assert.equal(largeObject?.metadata.sha256, createHash("sha256").update(large).digest("hex"));
    assert.ok(s3.requests.some((r) => r.method === "POST" && r.query.startsWith("uploads")), "expected a multipart upload");
  });
});
