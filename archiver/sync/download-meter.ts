/** The first stage of a copy: counts and, where asked, hashes the body as served, then has it checked before it ends. */
import { createHash } from "crypto";
import { Transform } from "stream";

/** Larger buffers than Node's 16 KiB default: fewer, bigger chunks at a fixed, small memory cost. */
export const STREAM_BUFFER = 1024 * 1024;

export interface Measured {
  bytes: number;
  endsAtLineBreak: boolean;
  /** With `hashRaw` only. */
  sha256?: string;
}

export interface MeterOptions {
  /** Hash the body as served (for the short-read check, archiver/sync/download-checks.ts). */
  hashRaw: boolean;
  onProgress?: (bytesRead: number) => void;
  /** Runs once the body has ended, before the stream does: a rejection fails the stream, so the upload never completes. */
  check: (measured: Measured) => Promise<void>;
}

export function downloadMeter(options: MeterOptions) {
  let bytes = 0;
  let lastByte: number | undefined;
  const rawHash = options.hashRaw ? createHash("sha256") : undefined;
  const stream = new Transform({
    highWaterMark: STREAM_BUFFER,
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (chunk.length > 0) lastByte = chunk[chunk.length - 1];
      rawHash?.update(chunk);
      options.onProgress?.(bytes);
      done(null, chunk);
    },
    flush(done) {
      const measured: Measured = { bytes, endsAtLineBreak: lastByte === undefined || lastByte === 0x0a, sha256: rawHash?.digest("hex") };
      options.check(measured).then(() => done(), done);
    },
  });
  return { stream, bytesRead: () => bytes };
}
