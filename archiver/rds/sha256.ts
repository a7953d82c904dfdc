import { createHash, createHmac, type Hash, type Hmac } from "crypto";

type SourceData = string | ArrayBuffer | ArrayBufferView;

function toBytes(data: SourceData): string | Buffer {
  if (typeof data === "string") return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The hash constructor @smithy/signature-v4 expects, on node:crypto: sha256, or HMAC-sha256 with a secret. */
export class Sha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBytes(secret));
  }

  update(data: SourceData): void {
    this.hash.update(toBytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}
