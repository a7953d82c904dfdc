/**
 * Stores one archive object from a stream. The `bytes` and `sha256` metadata are known only when the
 * stream ends. A body that fits in one part goes up as a single PutObject carrying all the metadata. A larger
 * body is a lib-storage multipart upload, followed by a copy onto itself that adds the final metadata
 * (replace-metadata.ts: in parts when the object is larger than one CopyObject may copy).
 * If the stream fails, nothing becomes visible: lib-storage aborts the multipart upload.
 */
import { Readable } from "stream";
import type { AwsClients } from "../aws-clients";
import { replaceMetadata } from "./replace-metadata";
import { S3_LIMITS, S3_MAX_PARTS, type S3Limits } from "./s3-limits";
import { UPLOAD_CHECKSUM } from "./upload-checksum";

export const PART_SIZE = 8 * 1024 * 1024;

export interface UploadRequest {
  bucket: string;
  key: string;
  body: Readable;
  /** Metadata known before the upload starts. */
  metadata: Record<string, string>;
  /** Metadata known once the body has ended. */
  finalMetadata: () => Record<string, string>;
  partSize?: number;
  /** What the object holds, for error messages: the instance and the file. */
  source?: string;
  /** S3's size limits; lowered only by tests. */
  limits?: Partial<S3Limits>;
}

/**
 * The body is larger than S3 can store: as one object, or in 10,000 parts of the chosen size. A plain Error
 * with a name, not a subclass: Pulumi's closure serializer cannot carry `extends Error` (docs/development.md, "Serializer pitfalls").
 */
export function objectTooLarge(message: string): Error {
  return Object.assign(new Error(message), { name: "ObjectTooLarge" });
}

export function isObjectTooLarge(err: unknown): boolean {
  return err instanceof Error && err.name === "ObjectTooLarge";
}

const CONTENT_TYPE = "application/gzip";

export async function uploadArchiveObject(aws: AwsClients, req: UploadRequest): Promise<{ bytesWritten: number }> {
  const partSize = req.partSize ?? PART_SIZE;
  const iterator = req.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes < partSize) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    headBytes += next.value.length;
  }
  if (ended) {
    await aws.s3.send(
      new aws.sdk.s3.PutObjectCommand({
        Bucket: req.bucket,
        Key: req.key,
        Body: Buffer.concat(head),
        ContentType: CONTENT_TYPE,
        Metadata: { ...req.metadata, ...req.finalMetadata() },
        ChecksumAlgorithm: UPLOAD_CHECKSUM,
      }),
    );
    return { bytesWritten: headBytes };
  }

  const maxObjectBytes = Math.min(req.limits?.maxObjectBytes ?? S3_LIMITS.maxObjectBytes, partSize * S3_MAX_PARTS);
  let bytesWritten = 0;
  // Throwing here fails the body stream, so lib-storage aborts the upload before it could complete.
  const count = (chunk: Buffer): Buffer => {
    bytesWritten += chunk.length;
    if (bytesWritten > maxObjectBytes) {
      throw objectTooLarge(
        `${req.source ?? req.key}: the archive object grew past ${maxObjectBytes} bytes, the most S3 can store ` +
          `as one object in ${S3_MAX_PARTS} parts of ${partSize} bytes; nothing was stored`,
      );
    }
    return chunk;
  };
  async function* rest(): AsyncGenerator<Buffer> {
    for (const chunk of head.splice(0)) yield count(chunk);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield count(next.value);
  }
  const upload = new aws.sdk.storage.Upload({
    client: aws.s3,
    params: { Bucket: req.bucket, Key: req.key, Body: Readable.from(rest()), ContentType: CONTENT_TYPE, Metadata: req.metadata, ChecksumAlgorithm: UPLOAD_CHECKSUM },
    partSize,
    queueSize: 2,
    leavePartsOnError: false,
  });
  let stored: { ETag?: string };
  try {
    stored = await upload.done();
  } catch (err) {
    req.body.destroy();
    throw err;
  }
  await replaceMetadata(aws, {
    bucket: req.bucket,
    key: req.key,
    size: bytesWritten,
    contentType: CONTENT_TYPE,
    metadata: { ...req.metadata, ...req.finalMetadata() },
    ...(stored.ETag ? { sourceETag: stored.ETag } : {}),
    ...(req.limits?.maxCopyBytes ? { maxCopyBytes: req.limits.maxCopyBytes } : {}),
  });
  return { bytesWritten };
}
