/**
 * The plain content's size and sha256 of a stream, computed as it passes: an archive object through gunzip
 * (every member of a multi-member gzip), or an RDS download (gunzipped first if RDS serves it compressed).
 * Nothing is kept, so memory stays flat whatever the size.
 */
import { createHash } from "crypto";
import { Writable, type Readable } from "stream";
import { pipeline } from "stream/promises";
import * as zlib from "zlib";
import { peekGzip } from "../sync/gzip-magic";

export interface ContentDigest {
  bytes: number;
  sha256: string;
}

/** Rejects with a named error when the body is not valid gzip (`CorruptGzip`) or the stream fails. */
export async function digestGzipped(body: Readable): Promise<ContentDigest> {
  const sink = digestSink();
  try {
    await pipeline(body, zlib.createGunzip(), sink.stream);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (typeof e.code === "string" && e.code.startsWith("Z_")) {
      throw Object.assign(new Error(`not a valid gzip stream: ${e.message}`), { name: "CorruptGzip" });
    }
    throw err;
  }
  return sink.digest();
}

/** A body that may or may not be gzip (RDS serves some log files compressed): the digest of its plain content. */
export async function digestPlainOrGzipped(body: Readable): Promise<ContentDigest> {
  const peeked = await peekGzip(body);
  if (peeked.gzip) return digestGzipped(peeked.body);
  const sink = digestSink();
  await pipeline(peeked.body, sink.stream);
  return sink.digest();
}

function digestSink() {
  const hash = createHash("sha256");
  let bytes = 0;
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done();
    },
  });
  return { stream, digest: (): ContentDigest => ({ bytes, sha256: hash.digest("hex") }) };
}
