/** RDS serves some log files gzipped: the copy looks at a body's first two bytes to know, without consuming them. */
import { Readable } from "stream";

/**
 * Whether the body starts with the gzip magic bytes, and the stream to read the whole body from: what was read
 * to tell is put back in front.
 */
export async function peekGzip(body: Readable): Promise<{ gzip: boolean; body: Readable }> {
  const seen: Buffer[] = [];
  let length = 0;
  while (length < 2) {
    const chunk = body.read() as Buffer | null;
    if (chunk) {
      seen.push(chunk);
      length += chunk.length;
      continue;
    }
    if (body.readableEnded || body.destroyed) break;
    if (!(await readableOrEnded(body))) break;
  }
  const head = Buffer.concat(seen);
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  if (head.length === 0) return { gzip, body };
  // A body that ended while being looked at cannot take bytes back (a one-byte body would arrive empty): they are all it had.
  if (body.readableEnded) return { gzip, body: Readable.from([head], { objectMode: false }) };
  body.unshift(head);
  return { gzip, body };
}

/**
 * Resolves true when more data can be read, false when the stream ended, closed or failed. Listening for 'error'
 * keeps a body that fails before the pipeline is built from throwing out of the process: the pipeline still
 * reports that error, as the stream keeps it.
 */
function readableOrEnded(body: Readable): Promise<boolean> {
  // Listeners are declared before use: Pulumi's closure serializer cannot capture a const used before its declaration.
  return new Promise<boolean>((resolve) => {
    let onReadable = (): void => undefined;
    let onEnd = (): void => undefined;
    const settle = (value: boolean) => {
      body.off("readable", onReadable).off("end", onEnd).off("close", onEnd).off("error", onEnd);
      resolve(value);
    };
    onReadable = () => settle(true);
    onEnd = () => settle(false);
    body.once("readable", onReadable).once("end", onEnd).once("close", onEnd).once("error", onEnd);
  });
}
