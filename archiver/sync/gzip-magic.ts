/** RDS serves some log files gzipped: the copy looks at a body's first two bytes to know, without consuming them. */
import type { Readable } from "stream";

/** Whether the stream starts with the gzip magic bytes; whatever was read to tell is put back. */
export async function startsWithGzipMagic(body: Readable): Promise<boolean> {
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
  if (head.length > 0) body.unshift(head);
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Resolves true when more data can be read, false when the stream ended or closed. */
function readableOrEnded(body: Readable): Promise<boolean> {
  // Listeners are declared before use: Pulumi's closure serializer cannot capture a const used before its declaration.
  return new Promise<boolean>((resolve) => {
    let onReadable = (): void => undefined;
    let onEnd = (): void => undefined;
    const settle = (value: boolean) => {
      body.off("readable", onReadable).off("end", onEnd).off("close", onEnd);
      resolve(value);
    };
    onReadable = () => settle(true);
    onEnd = () => settle(false);
    body.once("readable", onReadable).once("end", onEnd).once("close", onEnd);
  });
}
