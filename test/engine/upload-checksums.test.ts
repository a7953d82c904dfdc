// Object Lock: S3 refuses an upload into a locked bucket without Content-MD5 or an x-amz-checksum-* header. s3rver
// enforces no lock, so the requests it receives are checked instead: every PutObject and UploadPart of a sync run (the
// archive objects, single and multipart, and the state objects) carries a checksum, under WHEN_REQUIRED too.
import { strict as assert } from "assert";
import { randomBytes } from "crypto";
import { putGzipText, putJson } from "../../archiver/s3/small-objects";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import type { S3RequestRecord } from "../../local-aws/local-s3";
import { BUCKET, HOUR, lines, RUNNERS, startHarness, type Harness } from "./harness";

/** Uploads that carry a payload: PutObject and UploadPart, not their copy forms. */
const isUpload = (r: S3RequestRecord) => r.method === "PUT" && r.path.split("/").length > 2 && !r.headers["x-amz-copy-source"];
const checksummed = (r: S3RequestRecord) => Boolean(r.headers["content-md5"] || Object.keys(r.headers).some((h) => h.startsWith("x-amz-checksum-")));

function assertChecksums(requests: S3RequestRecord[], atLeast: { puts: number; parts: number }): void {
  const uploads = requests.filter(isUpload);
  const parts = uploads.filter((r) => r.query.includes("uploadId="));
  assert.ok(uploads.length - parts.length >= atLeast.puts && parts.length >= atLeast.parts, `${uploads.length} uploads, ${parts.length} parts`);
  for (const r of uploads) assert.ok(checksummed(r), `${r.method} ${r.path}?${r.query} carries no checksum: ${JSON.stringify(r.headers)}`);
}

for (const runner of RUNNERS) describe(`upload checksums for Object Lock (${runner})`, function () {
  this.timeout(120_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({}, runner);
  });
  after(async () => h.stop());

  it("every PutObject and UploadPart of a sync carries a checksum, with the SDK set to WHEN_REQUIRED", async () => {
    assert.equal(h.env.AWS_REQUEST_CHECKSUM_CALCULATION, "WHEN_REQUIRED");
    h.rds.addInstance("db1");
    const lastWritten = Date.now() - 3 * HOUR;
    h.rds.putFile("db1", { name: "error/postgresql.log.2024-10-01-00", lastWritten, content: Buffer.from(lines("a", 5)) });
    // incompressible and over one 8 MiB part: a multipart upload
    h.rds.putFile("db1", { name: "trace/large.trc", lastWritten, content: randomBytes(10 * 1024 * 1024) });
    h.s3.resetRequests();
    const report = await h.sync({ instances: ["db1"] });
    assert.equal(report.totals.copied, 2);
    // one small archive object and one state object; two parts
    assertChecksums(h.s3.requests, { puts: 2, parts: 2 });
  });

  if (runner === "in-process") {
    it("so do the event functions' small writes", async () => {
      h.s3.resetRequests();
      const writer = { sdk: loadAwsSdk(), s3: h.s3.client(), bucket: BUCKET };
      await putJson(writer, "events/2024/10/01/00/e.json", { id: "e" });
      await putGzipText(writer, "cloudwatch/g/2024/10/01/00/s-1.gz", "line\n");
      assertChecksums(h.s3.requests, { puts: 2, parts: 0 });
    });
  }
});
