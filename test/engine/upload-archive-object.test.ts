import { strict as assert } from "assert";
import { Readable } from "stream";
import { createClients, type AwsClients } from "../../archiver/aws-clients";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { uploadArchiveObject } from "../../archiver/s3/upload-archive-object";
import { LocalS3, S3RVER_CREDENTIALS, type S3RequestRecord } from "../../local-aws/local-s3";

const BUCKET = "uploads-test";
const MiB = 1024 * 1024;
/** lib-storage's smallest part. */
const PART = 5 * MiB;

const isPartUpload = (r: S3RequestRecord) => r.method === "PUT" && /(^|&)partNumber=/.test(r.query);
const isAbort = (r: S3RequestRecord) => r.method === "DELETE" && /(^|&)uploadId=/.test(r.query);
const isCreate = (r: S3RequestRecord) => r.method === "POST" && /(^|&)uploads(=|&|$)/.test(r.query);
const isComplete = (r: S3RequestRecord) => r.method === "POST" && /(^|&)uploadId=/.test(r.query);

describe("uploadArchiveObject against s3rver", function () {
  let s3: LocalS3;
  let aws: AwsClients;
  beforeEach(async () => {
    s3 = await LocalS3.start({ buckets: [BUCKET] });
    aws = await createClients(loadAwsSdk(), {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
    });
  });
  afterEach(async () => {
    aws.s3.destroy();
    aws.rds.destroy();
    await s3.stop();
  });

  it("a body that fails after two parts were stored aborts the multipart upload and leaves nothing", async () => {
    const partsStored = () => s3.requests.filter((r) => isPartUpload(r) && r.status === 200).length;
    async function* failingBody(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 3 * PART; i += MiB) {
        // Fail only once two parts are stored, so there is something to abort. lib-storage sends a part
        // when the chunk after it arrives, hence one chunk more than two parts.
        if (i === 2 * PART + MiB) {
          for (let waited = 0; partsStored() < 2 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
          throw new Error("log download failed");
        }
        yield Buffer.alloc(MiB, i / MiB);
      }
    }
    const body = Readable.from(failingBody());
    await assert.rejects(
      uploadArchiveObject(aws, { bucket: BUCKET, key: "g/t/2024/10/01/00/db/big.gz", body, metadata: {}, finalMetadata: () => ({}), partSize: PART }),
      /log download failed/,
    );
    assert.equal(partsStored(), 2);
    assert.equal(s3.requests.filter(isCreate).length, 1);
    assert.deepEqual(s3.requests.filter(isAbort).map((r) => r.status), [204]);
    assert.equal(s3.requests.filter(isComplete).length, 0);
    assert.deepEqual(await s3.openUploads(BUCKET), []);
    assert.deepEqual(await s3.listAll(BUCKET), []);
    assert.ok(body.destroyed, "the body is released");
  });

  it("a body that fails before its first part is full sends nothing at all", async () => {
    async function* failingBody(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(MiB);
      throw new Error("log download failed");
    }
    await assert.rejects(
      uploadArchiveObject(aws, { bucket: BUCKET, key: "small.gz", body: Readable.from(failingBody()), metadata: {}, finalMetadata: () => ({}), partSize: PART }),
      /log download failed/,
    );
    assert.deepEqual(s3.requests.map((r) => `${r.method} ${r.path}`), []);
  });
});
