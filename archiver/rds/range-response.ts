/**
 * Whether a download asked for `Range: bytes=<offset>-` got exactly that: a 206 whose Content-Range starts at
 * the offset. Anything else (a 200, or a 206 for another range) is treated as the whole body. Pure.
 */
export function rangeHonoured(offset: number, status: number | undefined, contentRange: string | undefined): boolean {
  if (status !== 206 || !contentRange) return false;
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(contentRange.trim());
  return m !== null && Number(m[1]) === offset;
}
