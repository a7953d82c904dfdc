// End to end: the code `pulumi up` would ship, run for real.
//
// The live stack is loaded under mocks exactly as committed (Pulumi.yaml defaults + Pulumi.live.yaml), and the sync
// function's deployment package (the serialized `__index.js` and its node_modules) is unpacked (test/shipped). The
// handler runs in its own Node process, with the environment the stack gives the function, against a fake RDS and
// s3rver, and the objects it wrote are checked.
import * as assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import type { SyncReport } from "../../archiver/report";
import { SCHEDULED_EVENT } from "../shipped/runner";
import { childEnv } from "../../local-aws/env";
import { FakeRds } from "../../local-aws/fake-rds";
import { LocalS3 } from "../../local-aws/local-s3";
import { FunctionHost } from "../shipped/host";
import { LIVE, shipped } from "../shipped/packages";

describe("end to end: the serialized function against a fake RDS and a local S3", function () {
  this.timeout(180_000);

  let rds: FakeRds | undefined;
  let s3: LocalS3 | undefined;
  let host: FunctionHost | undefined;

  after(async () => {
    await host?.stop();
    await rds?.stop();
    await s3?.stop();
  });

  it("archives a closed log file under its content's key, gzipped, with its metadata; a multipart one too", async () => {
    const fn = await shipped("sync", LIVE);
    const bucket = fn.variables.ARCHIVE_BUCKET;
    assert.equal(bucket, "123456789012-prod-rds-logs-us-east-1");
    assert.match(fs.readFileSync(fn.file, "utf8"), /exports\.handler = /);

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

    host = await FunctionHost.start(fn, { env: childEnv(rds, s3, fn.variables) });
    const invocation = await host.invoke<SyncReport>(SCHEDULED_EVENT, { remainingMs: 600_000 });
    assert.ok(invocation.result, `the handler failed: ${invocation.error?.stack}\n${host.errors}`);
    const report = invocation.result;
    assert.equal(report.bucket, bucket);
    assert.equal(report.ok, true, JSON.stringify(report, null, 2));
    assert.ok(invocation.logs.some((l) => l.includes('"message":"sync finished"')), invocation.logs.join("\n"));

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
