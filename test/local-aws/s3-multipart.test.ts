import * as assert from "node:assert/strict";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { LocalS3 } from "../../local-aws/local-s3";

describe("LocalS3 multipart operations s3rver lacks", () => {
  let s3: LocalS3;
  const bucket = "archive";
  const source = Buffer.from(Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join(""));

  beforeEach(async () => {
    s3 = await LocalS3.start({ buckets: [bucket], copyLimit: 4000 });
    await s3.client().send(new PutObjectCommand({ Bucket: bucket, Key: "big/object.gz", Body: source }));
  });
  afterEach(() => s3.stop());

  const start = async (key: string, metadata: Record<string, string> = {}) =>
    (await s3.client().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, Metadata: metadata }))).UploadId!;

  it("lists open uploads, and an abort removes one; aborting it again is NoSuchUpload", async () => {
    const a = await start("a/one.gz");
    const b = await start("b/two.gz");
    assert.deepEqual(
      (await s3.openUploads(bucket)).map((u) => u.key).sort(),
      ["a/one.gz", "b/two.gz"],
    );
    await s3.client().send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: "a/one.gz", UploadId: a }));
    assert.deepEqual(await s3.openUploads(bucket), [{ key: "b/two.gz", uploadId: b }]);
    await assert.rejects(
      s3.client().send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: "a/one.gz", UploadId: a })),
      { name: "NoSuchUpload" },
    );
    await assert.rejects(
      s3.client().send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: "a/other.gz", UploadId: b })),
      { name: "NoSuchUpload" },
    );
  });

  it("UploadPartCopy copies byte ranges into a new upload that completes with the new metadata", async () => {
    const uploadId = await start("big/object.gz", { sha256: "abc" });
    const parts = [];
    const ranges = ["bytes=0-3999", "bytes=4000-7999", `bytes=8000-${source.length - 1}`];
    for (const [i, range] of ranges.entries()) {
      const n = i + 1;
      const res = await s3.client().send(
        new UploadPartCopyCommand({ Bucket: bucket, Key: "big/object.gz", UploadId: uploadId, PartNumber: n, CopySource: `${bucket}/big/object.gz`, CopySourceRange: range }),
      );
      parts.push({ PartNumber: n, ETag: res.CopyPartResult!.ETag });
    }
    await s3.client().send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "big/object.gz", UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    assert.deepEqual(await s3.getBytes(bucket, "big/object.gz"), source);
    const head = await s3.client().send(new HeadObjectCommand({ Bucket: bucket, Key: "big/object.gz" }));
    assert.equal(head.Metadata?.sha256, "abc");
    assert.deepEqual(await s3.openUploads(bucket), []);
  });

  it("refuses a copy range or a CopyObject source over the copy limit, and a range past the end", async () => {
    const uploadId = await start("big/object.gz");
    const partCopy = (range: string) =>
      s3.client().send(
        new UploadPartCopyCommand({ Bucket: bucket, Key: "big/object.gz", UploadId: uploadId, PartNumber: 1, CopySource: `${bucket}/big/object.gz`, CopySourceRange: range }),
      );
    await assert.rejects(partCopy("bytes=0-4000"), { name: "InvalidRequest" });
    await assert.rejects(partCopy(`bytes=0-${source.length}`), { name: "InvalidArgument" });
    await assert.rejects(
      s3.client().send(new CopyObjectCommand({ Bucket: bucket, Key: "big/copy.gz", CopySource: `${bucket}/big/object.gz` })),
      { name: "InvalidRequest" },
    );
    await s3.client().send(new PutObjectCommand({ Bucket: bucket, Key: "small.gz", Body: "tiny" }));
    await s3.client().send(new CopyObjectCommand({ Bucket: bucket, Key: "small-copy.gz", CopySource: `${bucket}/small.gz` }));
    assert.equal(await s3.getText(bucket, "small-copy.gz"), "tiny");
  });

  it("honours x-amz-copy-source-if-match on UploadPartCopy and CopyObject: PreconditionFailed once the source changed", async () => {
    const { ETag } = await s3.client().send(new PutObjectCommand({ Bucket: bucket, Key: "small.gz", Body: "tiny" }));
    const copy = (ifMatch: string) =>
      s3.client().send(new CopyObjectCommand({ Bucket: bucket, Key: "small-copy.gz", CopySource: `${bucket}/small.gz`, CopySourceIfMatch: ifMatch }));
    await copy(ETag!);
    await s3.client().send(new PutObjectCommand({ Bucket: bucket, Key: "small.gz", Body: "changed" }));
    await assert.rejects(copy(ETag!), { name: "PreconditionFailed" });
    assert.equal(await s3.getText(bucket, "small-copy.gz"), "tiny");

    const uploadId = await start("big/object.gz");
    const partCopy = (ifMatch: string) =>
      s3.client().send(
        new UploadPartCopyCommand({ Bucket: bucket, Key: "big/object.gz", UploadId: uploadId, PartNumber: 1, CopySource: `${bucket}/big/object.gz`, CopySourceRange: "bytes=0-99", CopySourceIfMatch: ifMatch }),
      );
    await assert.rejects(partCopy('"0123456789abcdef0123456789abcdef"'), { name: "PreconditionFailed" });
    const current = await s3.client().send(new HeadObjectCommand({ Bucket: bucket, Key: "big/object.gz" }));
    assert.ok((await partCopy(current.ETag!)).CopyPartResult?.ETag);
  });

  it("authenticates these requests like s3rver's own (it checks the access key id, not the SigV4 signature)", async () => {
    const stranger = new S3Client({
      endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true,
      credentials: { accessKeyId: "NOT-S3RVER", secretAccessKey: "S3RVER" },
    });
    await start("a/one.gz");
    await assert.rejects(stranger.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: "a/one.gz", UploadId: (await s3.openUploads(bucket))[0].uploadId })), { name: "InvalidAccessKeyId" });
    assert.equal((await s3.openUploads(bucket)).length, 1);
    stranger.destroy();
  });
});
