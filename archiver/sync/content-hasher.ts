/** The plain content's sha256 and size, taken as it streams towards gzip. */
import { createHash } from "crypto";
import { Transform } from "stream";

/** Larger buffers than Node's 16 KiB default: fewer, bigger chunks keep gzip busy at a fixed, small memory cost. */
export const STREAM_BUFFER = 1024 * 1024;

/** What the content is compared with when it may replace an older version of itself. */
export interface PreviousContent {
  bytes: number;
  sha256: string;
}

/**
 * sha256 and byte count of the content passing through, and optionally whether it starts with a previous
 * version. Chunks are passed on in batches of STREAM_BUFFER bytes: each write to gzip is a round trip to
 * libuv's thread pool, and network-sized chunks would spend much of the copy on those round trips.
 */
export function contentHasher(previous?: PreviousContent) {
  const whole = createHash("sha256");
  const prefix = previous ? createHash("sha256") : undefined;
  let bytes = 0;
  let digest: string | undefined;
  let prefixDigest: string | undefined;
  let batch: Buffer[] = [];
  let batched = 0;
  const stream = new Transform({
    highWaterMark: STREAM_BUFFER,
    transform(chunk: Buffer, _enc, done) {
      whole.update(chunk);
      if (prefix && previous && bytes < previous.bytes) prefix.update(chunk.subarray(0, previous.bytes - bytes));
      bytes += chunk.length;
      batch.push(chunk);
      batched += chunk.length;
      if (batched < STREAM_BUFFER) return done();
      const out = Buffer.concat(batch, batched);
      [batch, batched] = [[], 0];
      done(null, out);
    },
    flush(done) {
      digest = whole.digest("hex");
      if (prefix && previous && bytes >= previous.bytes) prefixDigest = prefix.digest("hex");
      done(null, batched > 0 ? Buffer.concat(batch, batched) : undefined);
    },
  });
  return {
    stream,
    bytes: () => bytes,
    sha256: () => {
      if (digest === undefined) throw new Error("content hash read before the stream ended");
      return digest;
    },
    prefixMatches: () => previous !== undefined && prefixDigest === previous.sha256,
  };
}
