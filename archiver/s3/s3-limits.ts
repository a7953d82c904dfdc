/** S3's size limits, which every archive object must meet. */

export interface S3Limits {
  /** The largest CopyObject source, and the largest range one UploadPartCopy may copy. */
  maxCopyBytes: number;
  /** The largest object S3 stores. */
  maxObjectBytes: number;
  /** The smallest part but the last of a multipart upload. */
  minPartBytes: number;
  /** The part size of a member copy (archiver/s3/member-parts.ts); chosen from the file's listed size unless set. */
  partBytes?: number;
}

/** S3's own values. Tests lower them, through internal options, to reach the paths for huge objects with small ones. */
/** Every part of a multipart upload but the last must be at least this large. */
export const S3_MIN_PART = 5 * 1024 ** 2;

export const S3_LIMITS: Readonly<S3Limits> = { maxCopyBytes: 5 * 1024 ** 3, maxObjectBytes: 5 * 1024 ** 4, minPartBytes: S3_MIN_PART };
export const S3_MAX_PARTS = 10_000;
