import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import * as zlib from "node:zlib";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { childEnv } from "../../local-aws/env";
import { FakeRds } from "../../local-aws/fake-rds";
import { LocalS3, scratchRoot } from "../../local-aws/local-s3";
import { existsSync } from "node:fs";
import * as os from "node:os";

describe("LocalS3", () => {
  let s3: LocalS3;

  beforeEach(async () => {
    s3 = await LocalS3.start({ buckets: ["archive"] });
  });
  afterEach(() => s3.stop());

  it("an injected fault fails matching requests with its S3 error, `times` times or until cleared; `before` runs first", async () => {
    const put = (key: string) => s3.client().send(new PutObjectCommand({ Bucket: "archive", Key: key, Body: "x" }));
    s3.injectFault({ matches: (r) => r.method === "PUT" && r.path.endsWith("/denied"), code: "AccessDenied", times: 2 });
    s3.injectFault({ matches: (r) => r.headers["x-amz-meta-fail"] === "yes", code: "InternalError" });
    const status = (err: unknown) => (err as { $metadata: { httpStatusCode?: number } }).$metadata.httpStatusCode;
    await assert.rejects(put("a/denied"), (err: Error) => err.name === "AccessDenied" && status(err) === 403);
    await put("a/other");
    await assert.rejects(put("b/denied"), { name: "AccessDenied" });
    await put("c/denied");
    const failing = () => s3.client().send(new PutObjectCommand({ Bucket: "archive", Key: "d", Body: "x", Metadata: { fail: "yes" } }));
    await assert.rejects(failing(), (err) => status(err) === 500);
    s3.clearFaults();
    await failing();
    s3.injectFault({ matches: (r) => r.path.endsWith("/e"), before: () => put("e-first").then(() => undefined), times: 1 });
    await put("e");
    const puts = s3.requests.filter((r) => r.method === "PUT").map((r) => r.path);
    assert.deepEqual(puts.slice(-2), ["/archive/e-first", "/archive/e"], "`before` runs before the request is served");
    assert.deepEqual((await s3.listAll("archive")).map((o) => o.key).sort(), ["a/other", "c/denied", "d", "e", "e-first"]);
  });

  it("round-trips bytes and user metadata; metadata keys come back lower-case", async () => {
    const text = "héllo wörld ✓ 日本語\n";
    await s3.client().send(
      new PutObjectCommand({
        Bucket: "archive",
        Key: "group/error/2024/10/01/12/db-1/postgresql.log.gz",
        Body: zlib.gzipSync(text),
        Metadata: { "RDS-Instance": "db-1", sha256: "abc" },
      }),
    );
    await s3.client().send(new PutObjectCommand({ Bucket: "archive", Key: "_state/group/db-1.json", Body: "{}" }));
    const objects = await s3.listAll("archive");
    assert.deepEqual(
      objects.map((o) => [o.key, o.metadata]),
      [
        ["_state/group/db-1.json", {}],
        ["group/error/2024/10/01/12/db-1/postgresql.log.gz", { "rds-instance": "db-1", sha256: "abc" }],
      ],
    );
    assert.equal(objects[1].size, zlib.gzipSync(text).length);
    assert.equal(await s3.getText("archive", "group/error/2024/10/01/12/db-1/postgresql.log.gz", { gunzip: true }), text);
    assert.equal(await s3.getText("archive", "_state/group/db-1.json"), "{}");
  });

  it("listAll and listKeys follow continuation tokens (needs --openssl-legacy-provider) and filters by prefix", async () => {
    await s3.createBucket("second");
    const keys = Array.from({ length: 7 }, (_, i) => `k/${i}`);
    for (const key of keys) await s3.client().send(new PutObjectCommand({ Bucket: "second", Key: key, Body: key }));
    await s3.client().send(new PutObjectCommand({ Bucket: "second", Key: "other", Body: "x" }));
    s3.resetRequests();
    const listed = await s3.listAll("second", { prefix: "k/", pageSize: 3 });
    assert.deepEqual(listed.map((o) => o.key), keys);
    const lists = s3.requests.filter((r) => r.method === "GET" && /(^|&)list-type=2(&|$)/.test(r.query));
    assert.equal(lists.length, 3);
    assert.ok(lists.every((r) => r.path === "/second/" && r.status === 200));
    assert.equal(lists.filter((r) => r.query.includes("continuation-token=")).length, 2);
    s3.resetRequests();
    assert.deepEqual(await s3.listKeys("second", { prefix: "k/", pageSize: 3 }), keys.map((key) => ({ key, size: key.length })));
    assert.deepEqual(s3.requests.map((r) => r.method), ["GET", "GET", "GET"], "listKeys sends no HEAD");
  });

  it("records every request with method, raw path, query and status", async () => {
    s3.resetRequests();
    await assert.rejects(s3.client().send(new GetObjectCommand({ Bucket: "archive", Key: "no such/key" })), {
      name: "NoSuchKey",
    });
    assert.deepEqual(s3.requests.map(({ headers, ...r }) => r), [{ method: "GET", path: "/archive/no%20such/key", query: "x-id=GetObject", status: 404 }]);
    assert.match(s3.requests[0].headers.authorization ?? "", /^AWS4-HMAC-SHA256 /);
  });

  // s3rver alone answered a PUT before its file was written: a manifest read right after came back empty.
  it("a GET right after a PUT or a multipart upload returns the whole object, however slowly the disk writes", async () => {
    const restore = slowFileWrites(20);
    try {
      const body = "x".repeat(200_000);
      await s3.client().send(new PutObjectCommand({ Bucket: "archive", Key: "_state/g/db.json", Body: body }));
      const read = await s3.getText("archive", "_state/g/db.json");
      assert.ok(read === body, `read ${read.length} of ${body.length} bytes`);
      // one part: the last part of an upload may be small
      const part = Buffer.alloc(200_000, "p");
      const { UploadId } = await s3.client().send(new CreateMultipartUploadCommand({ Bucket: "archive", Key: "big.gz" }));
      const { ETag } = await s3.client().send(new UploadPartCommand({ Bucket: "archive", Key: "big.gz", UploadId, PartNumber: 1, Body: part }));
      await s3.client().send(
        new CompleteMultipartUploadCommand({ Bucket: "archive", Key: "big.gz", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] } }),
      );
      const assembled = await s3.getBytes("archive", "big.gz");
      assert.ok(assembled.equals(part), `read ${assembled.length} of ${part.length} bytes`);
    } finally {
      restore();
    }
  });

  it("stop() removes its directory", async () => {
    const other = await LocalS3.start();
    await other.createBucket("tmp-bucket");
    await other.client().send(new PutObjectCommand({ Bucket: "tmp-bucket", Key: "a", Body: "a" }));
    assert.ok((await fs.readdir(other.directory)).length > 0);
    await other.stop();
    await assert.rejects(fs.stat(other.directory), { code: "ENOENT" });
  });

  it("keeps its objects in memory-backed /dev/shm when the machine has it, else in the temporary directory; or where it is told", async () => {
    assert.equal(scratchRoot(), existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir());
    assert.equal(path.dirname(s3.directory), scratchRoot());
    const told = await fs.mkdtemp(path.join(os.tmpdir(), "local-s3-root-"));
    const other = await LocalS3.start({ directoryRoot: told });
    try {
      assert.equal(path.dirname(other.directory), told);
    } finally {
      await other.stop();
      await fs.rm(told, { recursive: true, force: true });
    }
  });
});

/** Delays every chunk written through a file write stream (s3rver's fs-extra's and node:fs's), as a busy disk would. */
function slowFileWrites(delayMs: number): () => void {
  type CreateWriteStream = typeof import("node:fs").createWriteStream;
  const modules: { createWriteStream: CreateWriteStream }[] = [require("node:fs"), require("fs-extra")];
  const originals = modules.map((m) => m.createWriteStream);
  modules.forEach((m, i) => {
    m.createWriteStream = ((...args: Parameters<CreateWriteStream>) => {
      const stream = originals[i](...args);
      const write = stream._write.bind(stream);
      stream._write = (chunk, encoding, done) => void setTimeout(() => write(chunk, encoding, done), delayMs);
      return stream;
    }) as CreateWriteStream;
  });
  return () => modules.forEach((m, i) => (m.createWriteStream = originals[i]));
}

describe("childEnv", () => {
  it("lets a child process reach both fakes with one credential set from the environment", async () => {
    const rds = await FakeRds.start();
    const s3 = await LocalS3.start({ buckets: ["archive"] });
    try {
      rds.addInstance("db-1");
      rds.putFile("db-1", { name: "error/postgresql.log.2024-10-01-12", lastWritten: 1, content: Buffer.from("x") });
      const env = childEnv(rds, s3, { EXTRA: "1" });
      assert.equal(env.AWS_PROFILE, undefined);
      assert.equal(env.EXTRA, "1");
      const script = `
        const { RDSClient, DescribeDBLogFilesCommand } = require("@aws-sdk/client-rds");
        const { S3Client, PutObjectCommand, ListObjectsV2Command } = require("@aws-sdk/client-s3");
        (async () => {
          const files = await new RDSClient({}).send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "db-1" }));
          const s3 = new S3Client({ forcePathStyle: true });
          await s3.send(new PutObjectCommand({ Bucket: "archive", Key: "from-child", Body: "hi" }));
          const listed = await s3.send(new ListObjectsV2Command({ Bucket: "archive" }));
          console.log(JSON.stringify({ files: files.DescribeDBLogFiles.map((f) => f.LogFileName), keys: listed.Contents.map((o) => o.Key) }));
        })().catch((e) => { console.error(e); process.exit(1); });`;
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ["-e", script], { env, cwd: path.resolve(__dirname, "../..") }, (error, out, err) =>
          error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
        ),
      );
      assert.deepEqual(JSON.parse(stdout), { files: ["error/postgresql.log.2024-10-01-12"], keys: ["from-child"] });
      assert.equal(await s3.getText("archive", "from-child"), "hi");
      assert.deepEqual(rds.requests.map((r) => [r.action, r.status]), [["DescribeDBLogFiles", 200]]);
    } finally {
      await rds.stop();
      await s3.stop();
    }
  });
});

describe("LocalS3: S3's conditional create", function () {
  it("refuses a PutObject with If-None-Match: * when the key exists, with 412 PreconditionFailed", async () => {
    const { PutObjectCommand } = await import("@aws-sdk/client-s3");
    const s3 = await LocalS3.start({ buckets: ["conditional"] });
    try {
      const put = (body: string) => s3.client().send(new PutObjectCommand({ Bucket: "conditional", Key: "a/b.json", Body: body, IfNoneMatch: "*" }));
      await put("first");
      await assert.rejects(put("second"), (err: Error & { $metadata?: { httpStatusCode?: number } }) => err.name === "PreconditionFailed" && err.$metadata?.httpStatusCode === 412);
      assert.equal(await s3.getText("conditional", "a/b.json"), "first");
    } finally {
      await s3.stop();
    }
  });
});
