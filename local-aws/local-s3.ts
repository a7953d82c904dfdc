// s3rver (3.7.1) on loopback with a throwaway directory, plus a request log and read helpers for assertions.
import { accessSync, constants as fsConstants, statSync } from "node:fs";
import * as fs from "node:fs/promises";
import type * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { groupDelimitedListings, type ListingStore } from "./delimited-listing";
import { makeWritesDurable, type WritableStore } from "./durable-writes";
import { cacheStoreReads, type CachedStore } from "./store-cache";
import { multipartMiddleware, type MultipartOptions } from "./s3-multipart";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";

/** The part of s3rver's API used here (it ships no types). */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer: http.Server;
  store: Parameters<typeof multipartMiddleware>[0] & WritableStore & ListingStore & CachedStore;
  /** Koa's middleware stack; s3rver's router is the last entry. */
  middleware: unknown[];
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
const S3rver: S3rverConstructor = require("s3rver");
const S3Error: new (code: string, message: string) => Error = require("s3rver/lib/models/error");

/** What a fault sees of a request. */
export interface S3RequestView {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
}

export interface S3Fault {
  matches: (req: S3RequestView) => boolean;
  /** runs before the request is served (or failed): lets a test change the bucket under a request */
  before?: () => Promise<void>;
  /** an S3 error code s3rver knows, which sets the status: AccessDenied (403), InternalError (500)...; none: serve it */
  code?: string;
  /** requests to fail; default every matching one until clearFaults() */
  times?: number;
}

/** s3rver accepts only these. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

export interface S3RequestRecord {
  method: string;
  /** raw path, still percent-encoded */
  path: string;
  /** raw query string without the `?` */
  query: string;
  status: number;
  /** The request's headers as S3 receives them. */
  headers: http.IncomingHttpHeaders;
}

export interface StoredObject {
  key: string;
  size: number;
  metadata: Record<string, string>;
}

export class LocalS3 {
  readonly requests: S3RequestRecord[] = [];
  /** Called as each request arrives, before s3rver handles it (its status is still 0). */
  onRequest?: (record: S3RequestRecord) => void;
  private sharedClient?: S3Client;

  private constructor(
    private readonly server: S3rverInstance,
    readonly directory: string,
    readonly endpoint: string,
    private readonly faults: S3Fault[],
  ) {
    server.httpServer.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
      const [pathPart, query = ""] = (req.url ?? "/").split("?", 2);
      const record: S3RequestRecord = { method: req.method ?? "", path: pathPart, query, status: 0, headers: req.headers };
      this.onRequest?.(record);
      res.on("close", () => {
        record.status = res.statusCode;
        this.requests.push(record);
      });
    });
  }

  /**
   * `copyLimit` lowers S3's 5 GiB limit on a CopyObject source and an UploadPartCopy range, so the
   * paths for objects over that size can be tested with small ones.
   */
  static async start(opts: { buckets?: string[]; directoryRoot?: string } & MultipartOptions = {}): Promise<LocalS3> {
    const directory = await fs.mkdtemp(path.join(opts.directoryRoot ?? scratchRoot(), "local-s3-"));
    const server = new S3rver({
      address: "127.0.0.1",
      port: 0,
      silent: true,
      directory,
      configureBuckets: (opts.buckets ?? []).map((name) => ({ name })),
    });
    dropRequestLogger(server);
    const faults: S3Fault[] = [];
    server.middleware.splice(server.middleware.length - 1, 0, faultMiddleware(faults));
    makeWritesDurable(server.store);
    cacheStoreReads(server.store);
    groupDelimitedListings(server.store);
    server.middleware.splice(server.middleware.length - 1, 0, multipartMiddleware(server.store, opts));
    server.middleware.splice(server.middleware.length - 1, 0, ifNoneMatchMiddleware(server.store));
    const address = await server.run();
    return new LocalS3(server, directory, `http://127.0.0.1:${address.port}`, faults);
  }

  /** Runs `before` and fails matching requests with `code`, before s3rver or the multipart middleware sees them. */
  injectFault(fault: S3Fault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults.splice(0);
  }

  resetRequests(): void {
    this.requests.length = 0;
  }

  /** A client for this server (one shared instance, destroyed by stop()). */
  client(): S3Client {
    this.sharedClient ??= new S3Client({
      endpoint: this.endpoint,
      region: "us-east-1",
      credentials: S3RVER_CREDENTIALS,
      forcePathStyle: true,
      // otherwise a streamed PutObject goes aws-chunked and s3rver stores the chunk framing as the object
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    return this.sharedClient;
  }

  async createBucket(name: string): Promise<void> {
    await this.client().send(new CreateBucketCommand({ Bucket: name }));
  }

  /** Every object's key and size (following continuation tokens), without a HEAD each: for when metadata is not needed. */
  async listKeys(bucket: string, opts: { prefix?: string; pageSize?: number } = {}): Promise<{ key: string; size: number }[]> {
    const objects: { key: string; size: number }[] = [];
    let token: string | undefined;
    do {
      const page = await this.client().send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: opts.prefix, MaxKeys: opts.pageSize, ContinuationToken: token }),
      );
      for (const item of page.Contents ?? []) objects.push({ key: item.Key ?? "", size: item.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  /** Every object (following continuation tokens) with its user metadata from a HEAD. */
  async listAll(bucket: string, opts: { prefix?: string; pageSize?: number } = {}): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    for (const { key, size } of await this.listKeys(bucket, opts)) {
      const head = await this.client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      objects.push({ key, size, metadata: head.Metadata ?? {} });
    }
    return objects;
  }

  /** Multipart uploads started and neither completed nor aborted: what a failed copy must not leave behind. */
  async openUploads(bucket: string): Promise<{ key: string; uploadId: string }[]> {
    const page = await this.client().send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return (page.Uploads ?? []).map((u) => ({ key: u.Key ?? "", uploadId: u.UploadId ?? "" }));
  }

  async getBytes(bucket: string, key: string): Promise<Buffer> {
    const object = await this.client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!object.Body) throw new Error(`no body for s3://${bucket}/${key}`);
    return Buffer.from(await object.Body.transformToByteArray());
  }

  async getText(bucket: string, key: string, opts: { gunzip?: boolean } = {}): Promise<string> {
    const bytes = await this.getBytes(bucket, key);
    return (opts.gunzip ? zlib.gunzipSync(bytes) : bytes).toString("utf8");
  }

  async stop(): Promise<void> {
    this.sharedClient?.destroy();
    this.sharedClient = undefined;
    const closed = this.server.close();
    this.server.httpServer.closeAllConnections();
    await closed;
    await fs.rm(this.directory, { recursive: true, force: true });
  }
}

/**
 * Where the throwaway directories go unless a caller names one: memory-backed /dev/shm when the machine has it
 * (s3rver stats, opens and writes several files per request), else the system's temporary directory.
 */
export function scratchRoot(): string {
  try {
    if (statSync(MEMORY_BACKED).isDirectory()) {
      accessSync(MEMORY_BACKED, fsConstants.W_OK);
      return MEMORY_BACKED;
    }
  } catch {
    // no /dev/shm here (macOS, some containers)
  }
  return os.tmpdir();
}
const MEMORY_BACKED = "/dev/shm";

/**
 * s3rver's first middleware is koa-logger, which formats a colored line for every request and wraps every streamed
 * body in a counting stream, even when `silent` drops the line. Nothing reads those lines, so it goes.
 */
function dropRequestLogger(server: S3rverInstance): void {
  const first = server.middleware[0] as { name?: string } | undefined;
  if (first?.name === "logger") server.middleware.splice(0, 1);
}

/**
 * S3's conditional create, which s3rver ignores: a PutObject with `If-None-Match: *` fails with 412
 * PreconditionFailed when the key exists (the digests are written this way, never overwritten).
 */
function ifNoneMatchMiddleware(store: { getMetadata(bucket: string, key: string): Promise<Record<string, string>> }) {
  return async (ctx: S3RequestView, next: () => Promise<void>): Promise<void> => {
    if (ctx.method !== "PUT" || ctx.headers["if-none-match"] !== "*") return next();
    const [bucket, ...key] = decodeURIComponent(ctx.path).replace(/^\//, "").split("/");
    const exists = await store.getMetadata(bucket, key.join("/")).then(() => true, () => false);
    if (exists) throw new S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
    return next();
  };
}

function faultMiddleware(faults: S3Fault[]) {
  return async (ctx: S3RequestView, next: () => Promise<void>): Promise<void> => {
    const index = faults.findIndex((f) => f.matches(ctx));
    if (index < 0) return next();
    const fault = faults[index];
    if (fault.times !== undefined && --fault.times <= 0) faults.splice(index, 1);
    await fault.before?.();
    if (fault.code === undefined) return next();
    throw new S3Error(fault.code, `injected fault on ${ctx.method} ${ctx.path}`);
  };
}
