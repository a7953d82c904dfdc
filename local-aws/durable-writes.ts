// s3rver 3.7.1 answers a PUT (and an UploadPart) when its hashing Transform has seen the last byte, before
// the file stream under it has written that byte; a GET right after can read a truncated or empty object.
// A failed PUT also truncates the object it was replacing. S3 does neither: a completed PUT is visible whole,
// and a failed one changes nothing. These replacements write to a temporary file, wait until it is written,
// and rename it into place, so a reader sees the old or the new version, never part of one.
import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/** The part of s3rver's filesystem store these replace. */
export interface WritableStore {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  putObject(object: StoreObject): Promise<{ size: number; md5: string }>;
  putPart(bucket: string, uploadId: string, partNumber: number, content: NodeJS.ReadableStream): Promise<{ size: number; md5: string }>;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
}

interface StoreObject {
  bucket: string;
  key: string;
  content: NodeJS.ReadableStream | Buffer;
  metadata: Record<string, string>;
}

export function makeWritesDurable(store: WritableStore): void {
  store.putObject = (object) =>
    underObjectLock(store, object.bucket, object.key, async () => {
      const target = store.getResourcePath(object.bucket, object.key, "object");
      await fs.mkdir(path.dirname(target), { recursive: true });
      const written = await replaceFile(target, object.content);
      await store.putMetadata(object.bucket, object.key, object.metadata, written.md5);
      return written;
    });
  store.putPart = async (bucket, uploadId, partNumber, content) => {
    const target = path.join(store.getResourcePath(bucket, undefined, "uploads"), uploadId, String(partNumber));
    await fs.mkdir(path.dirname(target), { recursive: true });
    const written = await replaceFile(target, content);
    await fs.writeFile(`${target}.md5`, written.md5);
    return written;
  };
}

const objectLocks = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * Runs `work` while no other locked work on the same object runs. An object's content, its md5 and its metadata
 * are three files: a replacement holds the lock until all three are written, and a reader that must see them
 * agree (UploadPartCopy checks the ETag, then opens the content) holds it until the content is open.
 */
export function underObjectLock<T>(store: object, bucket: string, key: string, work: () => Promise<T>): Promise<T> {
  let locks = objectLocks.get(store);
  if (!locks) objectLocks.set(store, (locks = new Map()));
  const id = `${bucket}/${key}`;
  const previous = locks.get(id) ?? Promise.resolve();
  const result = previous.then(work, work);
  const settled = result.then(
    () => undefined,
    () => undefined,
  );
  locks.set(id, settled);
  void settled.then(() => {
    if (locks.get(id) === settled) locks.delete(id);
  });
  return result;
}

/** Writes `content` beside `target`, and renames it over `target` once the write stream has finished. */
async function replaceFile(target: string, content: NodeJS.ReadableStream | Buffer): Promise<{ size: number; md5: string }> {
  const temporary = `${target}.${randomUUID()}.writing`;
  const md5 = createHash("md5");
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      md5.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  try {
    const source = Buffer.isBuffer(content) ? Readable.from([content]) : content;
    await pipeline(source, measure, createWriteStream(temporary));
    await fs.rename(temporary, target);
  } catch (err) {
    await fs.rm(temporary, { force: true });
    throw err;
  }
  return { size, md5: md5.digest("hex") };
}
