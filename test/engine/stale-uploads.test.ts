import { strict as assert } from "assert";
import { CreateMultipartUploadCommand, UploadPartCommand } from "@aws-sdk/client-s3";
import { STALE_UPLOAD_AGE_MS } from "../../archiver/s3/stale-uploads";
import { BUCKET, HOUR, lines, startHarness, type Harness } from "./harness";

describe("uploads a hard-killed run left open", function () {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    h.rds.addInstance("db1");
  });
  afterEach(async () => h.stop());

  async function openUpload(key: string): Promise<void> {
    const { UploadId } = await h.s3.client().send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    await h.s3.client().send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 1, Body: Buffer.from("part") }));
  }

  it("are aborted by a run that copies, under its own groups, once older than a day; never younger ones or other prefixes", async () => {
    const ours = "db1/trace/2024/10/01/00/db1/big.trc.gz";
    const others = "db10/trace/2024/10/01/00/db10/big.trc.gz";
    await openUpload(ours);
    await openUpload(others);
    h.rds.putFile("db1", { name: "trace/a.trc", lastWritten: Date.now() - 3 * HOUR, content: Buffer.from(lines("a", 3)) });
    const keys = async () => (await h.s3.openUploads(BUCKET)).map((u) => u.key).sort();

    const young = await h.sync({ instances: ["db1"] }, { now: () => Date.now() + STALE_UPLOAD_AGE_MS - HOUR });
    assert.equal(young.staleUploadsAborted, undefined);
    assert.deepEqual(await keys(), [ours, others], "an upload younger than a day may belong to a live run");

    const dryRun = await h.sync({ instances: ["db1"], dryRun: true }, { now: () => Date.now() + STALE_UPLOAD_AGE_MS + HOUR });
    assert.equal(dryRun.staleUploadsAborted, undefined);
    assert.deepEqual(await keys(), [ours, others], "a dry run writes nothing");

    h.rds.putFile("db1", { name: "trace/b.trc", lastWritten: Date.now() - 2 * HOUR, content: Buffer.from(lines("b", 3)) });
    const later = await h.sync({ instances: ["db1"] }, { now: () => Date.now() + STALE_UPLOAD_AGE_MS + HOUR });
    assert.equal(later.ok, true);
    assert.deepEqual(later.staleUploadsAborted, [ours]);
    assert.deepEqual(await keys(), [others], "db10/ is another instance's prefix, even though it starts with db1");

    h.s3.resetRequests();
    const idle = await h.sync({ instances: ["db1"] }, { now: () => Date.now() + STALE_UPLOAD_AGE_MS + HOUR });
    assert.equal(idle.totals.copied, 0);
    assert.deepEqual(h.s3.requests.filter((r) => r.query.includes("uploads")), [], "a run that copies nothing does not list uploads");
  });
});
