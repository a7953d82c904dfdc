/** The multipart calls a member copy makes itself, one part at a time, so that it knows which parts S3 holds. */
import type { AwsClients } from "../aws-clients";

export const ARCHIVE_CONTENT_TYPE = "application/gzip";

export async function createUpload(aws: AwsClients, bucket: string, key: string, metadata: Record<string, string>): Promise<string> {
  const out = await aws.s3.send(
    new aws.sdk.s3.CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: ARCHIVE_CONTENT_TYPE, Metadata: metadata }),
  );
  if (!out.UploadId) throw new Error(`CreateMultipartUpload for ${key} returned no UploadId`);
  return out.UploadId;
}

export async function uploadPart(aws: AwsClients, bucket: string, key: string, uploadId: string, n: number, body: Buffer): Promise<string> {
  const out = await aws.s3.send(
    new aws.sdk.s3.UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: n, Body: body, ContentLength: body.length }),
  );
  if (!out.ETag) throw new Error(`UploadPart ${n} of ${key} returned no ETag`);
  return out.ETag;
}

export async function completeUpload(
  aws: AwsClients, bucket: string, key: string, uploadId: string, parts: readonly { n: number; etag: string }[],
): Promise<string | undefined> {
  const out = await aws.s3.send(
    new aws.sdk.s3.CompleteMultipartUploadCommand({
      Bucket: bucket, Key: key, UploadId: uploadId,
      MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.n, ETag: p.etag })) },
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
