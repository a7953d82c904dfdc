/**
 * The byte ranges of a multipart copy within S3's limits. Pure: the planning of a copy is tested apart
 * from the calls that make it.
 */
import { S3_LIMITS, S3_MAX_PARTS, S3_MIN_PART } from "./s3-limits";

/**
 * Copy parts are this large when the part count allows: each is one request that S3 serves in seconds, so
 * a slow or failed request costs little, and several run at once.
 */
const PREFERRED_COPY_PART = 512 * 1024 ** 2;

/** An inclusive byte range, as `x-amz-copy-source-range: bytes=first-last` names it. */
export interface ByteRange {
  first: number;
  last: number;
}

/**
 * Contiguous ranges that cover [0, size): each at most `maxCopyBytes` bytes, all but the last at least
 * S3_MIN_PART, and no more than S3_MAX_PARTS of them. `maxCopyBytes` is S3's own except in tests.
 */
export function copyRanges(size: number, maxCopyBytes: number = S3_LIMITS.maxCopyBytes): ByteRange[] {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`cannot plan a copy of ${size} bytes`);
  if (!Number.isSafeInteger(maxCopyBytes) || maxCopyBytes < S3_MIN_PART) {
    throw new RangeError(`a copy limit of ${maxCopyBytes} bytes is below S3's minimum part size of ${S3_MIN_PART}`);
  }
  const partSize = Math.min(maxCopyBytes, Math.max(PREFERRED_COPY_PART, Math.ceil(size / S3_MAX_PARTS)));
  if (Math.ceil(size / partSize) > S3_MAX_PARTS) {
    throw new RangeError(`${size} bytes need more than ${S3_MAX_PARTS} copy parts of at most ${maxCopyBytes} bytes`);
  }
  const ranges: ByteRange[] = [];
  for (let first = 0; first < size; first += partSize) {
    ranges.push({ first, last: Math.min(size, first + partSize) - 1 });
  }
  return ranges;
}
