/** The multipart calls a member copy makes itself, one part at a time, so that it knows which parts S3 holds. */
import type { AwsClients } from "../aws-clients";
import { UPLOAD_CHECKSUM } from "./upload-checksum";

export const ARCHIVE_CONTENT_TYPE = "application/gzip";

export async function createUpload(aws: AwsClients, bucket: string, key: string, metadata: Record<string, string>): Promise<string> {
  const out = await aws.s3.send(
    new aws.sdk.s3.CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: ARCHIVE_CONTENT_TYPE, Metadata: metadata, ChecksumAlgorithm: UPLOAD_CHECKSUM }),
  );
  if (!out.UploadId) throw new Error(`CreateMultipartUpload for ${key} returned no UploadId`);
  return out.UploadId;
}

/** A part S3 holds: its ETag, and the CRC32 S3 computed, which CompleteMultipartUpload must repeat when S3 gave one. */
export interface StoredPart {
  etag: string;
  crc32?: string;
}

export async function uploadPart(aws: AwsClients, bucket: string, key: string, uploadId: string, n: number, body: Buffer): Promise<StoredPart> {
  const out = await aws.s3.send(
    new aws.sdk.s3.UploadPartCommand({
      Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: n, Body: body, ContentLength: body.length, ChecksumAlgorithm: UPLOAD_CHECKSUM,
    }),
  );
  if (!out.ETag) throw new Error(`UploadPart ${n} of ${key} returned no ETag`);
  return { etag: out.ETag, ...(out.ChecksumCRC32 ? { crc32: out.ChecksumCRC32 } : {}) };
}

export async function completeUpload(
  aws: AwsClients, bucket: string, key: string, uploadId: string, parts: readonly ({ n: number } & StoredPart)[],
): Promise<string | undefined> {
  const out = await aws.s3.send(
    new aws.sdk.s3.CompleteMultipartUploadCommand({
      Bucket: bucket, Key: key, UploadId: uploadId,
      MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.n, ETag: p.etag, ...(p.crc32 ? { ChecksumCRC32: p.crc32 } : {}) })) },
    }),
  );
  return out.ETag;
}

/** Aborts an upload; one that is already gone is fine. */
export async function abortUpload(aws: AwsClients, bucket: string, key: string, uploadId: string): Promise<void> {
  try {
    await aws.s3.send(new aws.sdk.s3.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
  } catch (err) {
    if (!isNoSuchUpload(err)) throw err;
  }
}

export function isNoSuchUpload(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NoSuchUpload" || e?.Code === "NoSuchUpload";
}
