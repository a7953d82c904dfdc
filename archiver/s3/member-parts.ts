/**
 * How an archive object is cut into gzip members and multipart parts, pure. The raw content is cut into
 * members of `memberBytes` raw bytes, each compressed on its own into one gzip member (a multi-member gzip is
 * one valid .gz). A part is a run of whole members, closed as soon as its compressed bytes reach `partBytes`,
 * so every part but the last meets S3's minimum, and every part starts and ends on a member boundary: a copy
 * can stop after any part and continue at that part's raw end. The parts' raw ranges are known only as the
 * members compress; the member size is fixed in advance, so consecutive members can be compressed in parallel.
 */
import { S3_MAX_PARTS, S3_MIN_PART } from "./s3-limits";
import { uploadPartSize } from "./upload-part-size";

/** Raw bytes per gzip member: large enough that the per-member cost (18 bytes, a fresh window) is lost in the noise. */
export const MEMBER_RAW_BYTES = 2 * 1024 * 1024;
/** Members never get smaller than this, whatever part size tests choose. */
const MIN_MEMBER_BYTES = 4096;

export interface PartPlan {
  /** A part is closed once its compressed bytes reach this. */
  partBytes: number;
  /** Raw bytes per gzip member (the last may be shorter). */
  memberBytes: number;
}

/** The plan for a file listed at `listedBytes`; `partBytes` replaces the chosen part size (tests, with S3's minimum lowered). */
export function planParts(listedBytes: number, override?: { partBytes?: number; minPartBytes?: number }): PartPlan {
  const minPart = override?.minPartBytes ?? S3_MIN_PART;
  const partBytes = Math.max(minPart, override?.partBytes ?? uploadPartSize(listedBytes));
  // At most a quarter of a part per member: a part overshoots its size by less than one compressed member.
  const memberBytes = Math.max(MIN_MEMBER_BYTES, Math.min(MEMBER_RAW_BYTES, Math.floor(partBytes / 4)));
  return { partBytes, memberBytes };
}

/** Whether a part holding `compressedBytes` is full and goes up now. */
export function partIsFull(compressedBytes: number, plan: PartPlan): boolean {
  return compressedBytes >= plan.partBytes;
}

/** Whether `partNumber` (1-based) is a part S3 still takes. */
export function withinPartLimit(partNumber: number): boolean {
  return partNumber >= 1 && partNumber <= S3_MAX_PARTS;
}

/**
 * Groups compressed member sizes into parts as the copy does: the model the property tests check the
 * streaming copy against. Returns each part's first member index and its compressed size.
 */
export function groupIntoParts(memberSizes: readonly number[], plan: PartPlan): { firstMember: number; bytes: number }[] {
  const parts: { firstMember: number; bytes: number }[] = [];
  let open: { firstMember: number; bytes: number } | undefined;
  memberSizes.forEach((size, i) => {
    open ??= { firstMember: i, bytes: 0 };
    open.bytes += size;
    if (partIsFull(open.bytes, plan)) {
      parts.push(open);
      open = undefined;
    }
  });
  if (open) parts.push(open);
  return parts;
}
