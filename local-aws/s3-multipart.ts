// The multipart operations s3rver 3.7.1 lacks, added as Koa middleware in front of its router, with S3's
// documented semantics: ListMultipartUploads, AbortMultipartUpload and UploadPartCopy. It also enforces
// CopyObject's size limit on the copy source (5 GiB on S3), which a test can lower, and, for CopyObject and
// UploadPartCopy, the x-amz-copy-source-if-match condition (s3rver ignores it). Requests are
// authenticated by s3rver's own SigV4 middleware before they are served.
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { underObjectLock } from "./durable-writes";

/** S3's limit for a CopyObject source and for one UploadPartCopy range. */
export const S3_COPY_LIMIT = 5 * 1024 ** 3;

const S3Error: new (code: string, message: string, detail?: Record<string, string>) => Error = require("s3rver/lib/models/error");
const authentication: () => KoaMiddleware = require("s3rver/lib/middleware/authentication");

interface StoredObjectHandle {
  content: NodeJS.ReadableStream | null;
  metadata: Record<string, string>;
}

/** The part of s3rver's filesystem store used here. */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
  getObject(bucket: string, key: string, range?: { start: number; end: number }): Promise<StoredObjectHandle | null>;
  putPart(bucket: string, uploadId: string, partNumber: number, content: NodeJS.ReadableStream): Promise<{ size: number; md5: string }>;
}

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  params?: Record<string, string>;
  status: number;
  body: unknown;
  set(name: string, value: string): void;
}
type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

export interface MultipartOptions {
  /** CopyObject source and UploadPartCopy range limit, bytes (S3: 5 GiB). */
  copyLimit?: number;
}

export function multipartMiddleware(store: FilesystemStore, opts: MultipartOptions = {}): KoaMiddleware {
  const copyLimit = opts.copyLimit ?? S3_COPY_LIMIT;
  const authenticate = authentication();
  return async (ctx, next) => {
    const [bucket, ...keyParts] = ctx.path.replace(/^\//, "").split("/");
    const key = decodeURIComponent(keyParts.join("/"));
    const serve = operation(ctx, key);
    if (!serve) return next();
    ctx.params = { bucket, ...(key ? { key } : {}) };
    await authenticate(ctx, async () => {
      const handlers: Record<Operation, () => Promise<void>> = {
        list: () => listUploads(store, ctx, bucket),
        abort: () => abortUpload(store, ctx, bucket, key),
        partCopy: () => uploadPartCopy(store, ctx, bucket, key, copyLimit),
        copyLimit: async () => {
          await checkCopySource(store, ctx, copyLimit);
          await next();
        },
      };
      await handlers[serve]();
    });
  };
}

type Operation = "list" | "abort" | "partCopy" | "copyLimit";

function operation(ctx: KoaContext, key: string): Operation | undefined {
  const hasQuery = (name: string) => Object.prototype.hasOwnProperty.call(ctx.query, name);
  if (ctx.method === "GET" && !key && hasQuery("uploads")) return "list";
  if (ctx.method === "DELETE" && key && hasQuery("uploadId")) return "abort";
  if (ctx.method === "PUT" && key && ctx.headers["x-amz-copy-source"]) return hasQuery("uploadId") ? "partCopy" : "copyLimit";
  return undefined;
}

function uploadsDir(store: FilesystemStore, bucket: string): string {
  return store.getResourcePath(bucket, undefined, "uploads");
}

async function uploadKey(store: FilesystemStore, bucket: string, uploadId: string): Promise<string | undefined> {
  if (!/^[0-9a-f]+$/.test(uploadId)) return undefined;
  return fs.readFile(path.join(uploadsDir(store, bucket), uploadId, "key"), "utf8").catch(() => undefined);
}

async function listUploads(store: FilesystemStore, ctx: KoaContext, bucket: string): Promise<void> {
  const prefix = ctx.query.prefix ?? "";
  const ids = await fs.readdir(uploadsDir(store, bucket)).catch(() => [] as string[]);
  const uploads = [];
  for (const uploadId of ids.sort()) {
    const key = await uploadKey(store, bucket, uploadId);
    if (key === undefined || !key.startsWith(prefix)) continue;
    const { mtime } = await fs.stat(path.join(uploadsDir(store, bucket), uploadId));
    uploads.push({ Key: key, UploadId: uploadId, Initiated: mtime.toISOString(), StorageClass: "STANDARD" });
  }
  ctx.body = {
    ListMultipartUploadsResult: {
      Bucket: bucket,
      Prefix: prefix,
      MaxUploads: 1000,
      IsTruncated: false,
      ...(uploads.length ? { Upload: uploads } : {}),
    },
  };
}

async function abortUpload(store: FilesystemStore, ctx: KoaContext, bucket: string, key: string): Promise<void> {
  const uploadId = ctx.query.uploadId ?? "";
  if ((await uploadKey(store, bucket, uploadId)) !== key) throw noSuchUpload();
  await fs.rm(path.join(uploadsDir(store, bucket), uploadId), { recursive: true, force: true });
  ctx.status = 204;
  ctx.body = null;
}

function noSuchUpload(): Error {
  return new S3Error(
    "NoSuchUpload",
    "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
  );
}

function copySource(ctx: KoaContext): { bucket: string; key: string } {
  const [bucket, ...key] = decodeURIComponent((ctx.headers["x-amz-copy-source"] ?? "").split("?")[0]).replace(/^\//, "").split("/");
  return { bucket, key: key.join("/") };
}

function noSuchKey(key: string): Error {
  return new S3Error("NoSuchKey", "The specified key does not exist.", { Key: key });
}

/** The copy source's size, once its x-amz-copy-source-if-match condition, if any, holds. */
async function sourceSize(store: FilesystemStore, ctx: KoaContext): Promise<number> {
  const source = copySource(ctx);
  const metadata = await store.getMetadata(source.bucket, source.key).catch((err: { code?: string }) => {
    throw err.code === "ENOENT" ? noSuchKey(source.key) : err;
  });
  const ifMatch = ctx.headers["x-amz-copy-source-if-match"];
  const unquoted = (etag: string) => etag.replace(/"/g, "");
  if (ifMatch !== undefined && unquoted(ifMatch) !== unquoted(metadata.etag ?? "")) {
    throw new S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", {
      Condition: "x-amz-copy-source-If-Match",
    });
  }
  return Number(metadata["content-length"]);
}

async function checkCopySource(store: FilesystemStore, ctx: KoaContext, copyLimit: number): Promise<void> {
  if ((await sourceSize(store, ctx)) > copyLimit) {
    throw new S3Error(
      "InvalidRequest",
      `The specified copy source is larger than the maximum allowable size for a copy source: ${copyLimit}`,
    );
  }
}

async function uploadPartCopy(store: FilesystemStore, ctx: KoaContext, bucket: string, key: string, copyLimit: number): Promise<void> {
  const uploadId = ctx.query.uploadId ?? "";
  const partNumber = Number(ctx.query.partNumber);
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
    throw new S3Error("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive");
  }
  if ((await uploadKey(store, bucket, uploadId)) !== key) throw noSuchUpload();
  const source = copySource(ctx);
  // S3 checks the condition and reads the source as one: a replacement in between must not slip through.
  const object = await underObjectLock(store, source.bucket, source.key, async () => {
    const range = copyRange(ctx, await sourceSize(store, ctx), copyLimit);
    return store.getObject(source.bucket, source.key, range);
  });
  if (!object?.content) throw noSuchKey(source.key);
  const { md5 } = await store.putPart(bucket, uploadId, partNumber, object.content);
  ctx.body = { CopyPartResult: { LastModified: new Date().toISOString(), ETag: `"${md5}"` } };
}

function copyRange(ctx: KoaContext, size: number, copyLimit: number): { start: number; end: number } {
  const rangeHeader = ctx.headers["x-amz-copy-source-range"];
  let range = { start: 0, end: size - 1 };
  if (rangeHeader !== undefined) {
    const m = /^bytes=(\d+)-(\d+)$/.exec(rangeHeader);
    if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) >= size) {
      throw new S3Error("InvalidArgument", "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy");
    }
    range = { start: Number(m[1]), end: Number(m[2]) };
  }
  if (range.end - range.start + 1 > copyLimit) {
    throw new S3Error("InvalidRequest", `The specified copy range is larger than the maximum allowable size for a copy part: ${copyLimit}`);
  }
  return range;
}
