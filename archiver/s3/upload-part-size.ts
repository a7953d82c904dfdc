/**
 * The part size of an archive object's multipart upload. The object's final size is unknown until its
 * stream ends, and S3 takes at most 10,000 parts, so the size is chosen from the size RDS listed.
 */
import { S3_LIMITS, S3_MAX_PARTS } from "./s3-limits";
import { PART_SIZE } from "./upload-archive-object";

const MiB = 1024 ** 2;

/**
 * How much larger than the listed file its object may turn out: a file RDS serves gzip-compressed is stored
 * recompressed at another level, and an active file grows between listing and download.
 */
const GROWTH_ALLOWANCE = 2;

/** Parts large enough for the largest object S3 stores; memory, not S3, argues against anything larger. */
export const MAX_UPLOAD_PART = Math.ceil(S3_LIMITS.maxObjectBytes / S3_MAX_PARTS / MiB) * MiB;

/**
 * PART_SIZE for files up to about 39 GiB; above that, whole MiB just large enough for 10,000 parts to hold
 * GROWTH_ALLOWANCE times the listed size, up to MAX_UPLOAD_PART.
 */
export function uploadPartSize(listedBytes: number): number {
  const needed = Math.ceil((Math.max(0, listedBytes) * GROWTH_ALLOWANCE) / S3_MAX_PARTS / MiB) * MiB;
  return Math.min(MAX_UPLOAD_PART, Math.max(PART_SIZE, needed));
}
