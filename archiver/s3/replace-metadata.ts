/**
 * Replaces the metadata of a stored object by copying it onto itself: S3 metadata cannot be changed in place.
 * Up to the copy limit (5 GiB) that is one CopyObject. A larger object is copied in parts, server-side: a
 * multipart upload created with the new metadata, UploadPartCopy for each range, then complete. Any failure
 * aborts that upload, so the object stays as it was and no upload is left open.
 */
import type { AwsClients } from "../aws-clients";
import { mapLimited } from "../limit";
import { copyRanges, type ByteRange } from "./copy-ranges";
import { S3_LIMITS } from "./s3-limits";

/** Part copies in flight at once; each is served by S3 without passing through this process. */
const PARALLEL_PART_COPIES = 4;

export interface MetadataReplacement {
  bucket: string;
  key: string;
  /** The object's size, bytes. */
  size: number;
  contentType: string;
  metadata: Record<string, string>;
  /**
   * The ETag of the object this run stored. The copy is made only from that object: if an overlapping run
   * has replaced it since, the copy fails (PreconditionFailed) rather than label the other content.
   */
  sourceETag?: string;
  /** S3's limit on one copy; lowered only by tests. */
  maxCopyBytes?: number;
}

export async function replaceMetadata(aws: AwsClients, req: MetadataReplacement): Promise<void> {
  const maxCopyBytes = req.maxCopyBytes ?? S3_LIMITS.maxCopyBytes;
  const copySource = `${req.bucket}/${encodeURIComponent(req.key).replace(/%2F/g, "/")}`;
  if (req.size <= maxCopyBytes) {
    await aws.s3.send(
      new aws.sdk.s3.CopyObjectCommand({
        Bucket: req.bucket,
        Key: req.key,
        CopySource: copySource,
        ...(req.sourceETag ? { CopySourceIfMatch: req.sourceETag } : {}),
        MetadataDirective: "REPLACE",
        ContentType: req.contentType,
        Metadata: req.metadata,
      }),
    );
    return;
  }
  const ranges = copyRanges(req.size, maxCopyBytes);
  const { UploadId } = await aws.s3.send(
    new aws.sdk.s3.CreateMultipartUploadCommand({ Bucket: req.bucket, Key: req.key, ContentType: req.contentType, Metadata: req.metadata }),
  );
  if (!UploadId) throw new Error(`CreateMultipartUpload for ${req.key} returned no UploadId`);
  try {
    const parts = await copyParts(aws, req, copySource, UploadId, ranges);
    await aws.s3.send(
      new aws.sdk.s3.CompleteMultipartUploadCommand({ Bucket: req.bucket, Key: req.key, UploadId, MultipartUpload: { Parts: parts } }),
    );
  } catch (err) {
    await aws.s3.send(new aws.sdk.s3.AbortMultipartUploadCommand({ Bucket: req.bucket, Key: req.key, UploadId })).catch(() => undefined);
    throw err;
  }
}

/**
 * Copies every range, at most PARALLEL_PART_COPIES at a time. After a failure no new part starts, and the
 * copies in flight are waited for, so the abort that follows is not raced by a part landing after it.
 */
async function copyParts(
  aws: AwsClients,
  req: MetadataReplacement,
  copySource: string,
  uploadId: string,
  ranges: ByteRange[],
): Promise<{ PartNumber: number; ETag: string }[]> {
  let failure: { error: unknown } | undefined;
  const numbered = ranges.map((range, i) => ({ range, partNumber: i + 1 }));
  const parts = await mapLimited(numbered, PARALLEL_PART_COPIES, async ({ range, partNumber }) => {
    if (failure) return undefined;
    try {
      const res = await aws.s3.send(
        new aws.sdk.s3.UploadPartCopyCommand({
          Bucket: req.bucket,
          Key: req.key,
          UploadId: uploadId,
          PartNumber: partNumber,
          CopySource: copySource,
          CopySourceRange: `bytes=${range.first}-${range.last}`,
          ...(req.sourceETag ? { CopySourceIfMatch: req.sourceETag } : {}),
        }),
      );
      const etag = res.CopyPartResult?.ETag;
      if (!etag) throw new Error(`UploadPartCopy of part ${partNumber} of ${req.key} returned no ETag`);
      return { PartNumber: partNumber, ETag: etag };
    } catch (error) {
      failure ??= { error };
      return undefined;
    }
  });
  if (failure) throw failure.error;
  return parts.filter((p) => p !== undefined);
}
