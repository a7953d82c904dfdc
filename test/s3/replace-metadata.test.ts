import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { AwsClients } from "../../archiver/aws-clients";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { replaceMetadata } from "../../archiver/s3/replace-metadata";
import { S3_MIN_PART } from "../../archiver/s3/s3-limits";
import { LocalS3, type S3RequestView } from "../../local-aws/local-s3";

describe("s3/replace-metadata: a multipart copy onto itself, against s3rver with the copy limit lowered to 5 MiB", () => {
  const bucket = "archive";
  const key = "db1/trace/2024/10/01/00/db1/big.trc.gz";
  const content = randomBytes(9 * S3_MIN_PART - 1234); // 9 copy parts, the last one short
  let s3: LocalS3;
  let aws: AwsClients;
  let etag: string;

  beforeEach(async () => {
    s3 = await LocalS3.start({ buckets: [bucket], copyLimit: S3_MIN_PART });
    aws = { sdk: loadAwsSdk(), s3: s3.client() } as AwsClients; // replaceMetadata uses only these
    etag = (await s3.client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: content, Metadata: { stage: "uploaded" } }))).ETag!;
  });
  afterEach(() => s3.stop());

  const replace = () =>
    replaceMetadata(aws, {
      bucket, key, size: content.length, contentType: "application/gzip", sourceETag: etag,
      metadata: { stage: "final", sha256: "abc" }, maxCopyBytes: S3_MIN_PART,
    });
  const isPartCopy = (r: S3RequestView) => r.query.partNumber !== undefined && r.headers["x-amz-copy-source"] !== undefined;

  it("copies nine ranges, four at a time, and completes them in part order with the new metadata", async () => {
    // Part copies are held until four are waiting (or the ninth has come), then let go together a moment
    // later, so a fifth sent at once would be counted too. A copier that kept fewer in flight is let go after
    // a few seconds, and fails below.
    const waiting: (() => void)[] = [];
    let arrived = 0;
    let most = 0;
    s3.injectFault({
      matches: isPartCopy,
      before: () =>
        new Promise<void>((resolve) => {
          waiting.push(resolve);
          most = Math.max(most, waiting.length);
          arrived++;
          if (waiting.length === 4 || arrived === 9) setTimeout(() => waiting.splice(0).forEach((go) => go()), 50);
          setTimeout(resolve, 5000).unref();
        }),
    });
    await replace();
    assert.ok((await s3.getBytes(bucket, key)).equals(content));
    const head = await s3.client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    assert.deepEqual(head.Metadata, { stage: "final", sha256: "abc" });
    assert.equal(head.ContentType, "application/gzip");
    assert.equal(s3.requests.filter((r) => r.method === "PUT" && /partNumber=/.test(r.query)).length, 9);
    assert.equal(most, 4);
    assert.deepEqual(await s3.openUploads(bucket), []);
  });

  it("a failed part: no part starts after it, the upload is aborted, the object keeps its metadata", async () => {
    // Part 3 fails at once. Parts 1, 2 and 4 are held until the copier has seen that failure.
    let failureSeen: () => void = () => undefined;
    const seen = new Promise<void>((resolve) => (failureSeen = resolve));
    const client = s3.client();
    const send = (command: Parameters<typeof client.send>[0]) => {
      const sent = client.send(command);
      sent.catch(() => setImmediate(failureSeen)); // after the copier's own handlers have run
      return sent;
    };
    aws = { ...aws, s3: { send } } as unknown as AwsClients;
    s3.injectFault({ matches: (r) => isPartCopy(r) && r.query.partNumber === "3", code: "AccessDenied" });
    s3.injectFault({ matches: isPartCopy, before: () => seen });
    await assert.rejects(replace(), { name: "AccessDenied" });
    const partCopies = s3.requests.filter((r) => r.method === "PUT" && /partNumber=/.test(r.query));
    assert.deepEqual(partCopies.map((r) => /partNumber=(\d+)/.exec(r.query)![1]).sort(), ["1", "2", "3", "4"]);
    assert.deepEqual(await s3.openUploads(bucket), []);
    const head = await s3.client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    assert.deepEqual(head.Metadata, { stage: "uploaded" });
    assert.ok((await s3.getBytes(bucket, key)).equals(content));
  });
});
