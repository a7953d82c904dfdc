/**
 * The checksum every upload carries. S3 refuses a PutObject or UploadPart into a bucket with Object Lock unless it
 * carries Content-MD5 or an x-amz-checksum-* header. The SDK adds a CRC32 by itself only under its default
 * `requestChecksumCalculation` (WHEN_SUPPORTED): naming the algorithm on each request makes it compute one under
 * WHEN_REQUIRED too, which a deployment may set through AWS_REQUEST_CHECKSUM_CALCULATION.
 */
export const UPLOAD_CHECKSUM = "CRC32" as const;
