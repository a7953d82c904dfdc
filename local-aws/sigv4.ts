// SigV4 helpers shared by the fake RDS server (to verify) and tests (to sign raw REST requests).
import * as crypto from "node:crypto";
import * as http from "node:http";
import { SignatureV4 } from "@smithy/signature-v4";

export interface FakeCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

type Data = string | ArrayBuffer | ArrayBufferView;

function toBuffer(data: Data): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The hash class @smithy/signature-v4 wants: SHA-256, or HMAC-SHA256 when given a secret. */
export class NodeSha256 {
  private hash: crypto.Hash | crypto.Hmac;

  constructor(private readonly secret?: Data) {
    this.hash = this.fresh();
  }

  update(data: Data): void {
    this.hash.update(toBuffer(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): crypto.Hash | crypto.Hmac {
    return this.secret === undefined
      ? crypto.createHash("sha256")
      : crypto.createHmac("sha256", toBuffer(this.secret));
  }
}

export function sha256Hex(data: Data): string {
  return crypto.createHash("sha256").update(toBuffer(data)).digest("hex");
}

/** The wire path of a complete-log-file download, each segment percent-encoded, the file's `/` kept. */
export function downloadPath(instance: string, file: string, apiVersion: "v19" | "v13" = "v19"): string {
  const segments = [instance, ...file.split("/")].map(encodeURIComponent);
  return `/${apiVersion}/downloadCompleteLogFile/${segments.join("/")}`;
}

export interface SignedRequestOptions {
  method?: string;
  credentials: FakeCredentials;
  region: string;
  service?: string;
  body?: Buffer;
  headers?: Record<string, string>;
  signingDate?: Date;
}

/**
 * Sends a SigV4-signed request for `path` (sent exactly as given, so pass it already percent-encoded)
 * and resolves with the response once its headers arrive; the body is left to the caller to consume.
 */
export async function signedRequest(
  endpoint: string,
  path: string,
  opts: SignedRequestOptions,
): Promise<http.IncomingMessage> {
  const url = new URL(endpoint);
  const [rawPath, rawQuery = ""] = path.split("?", 2);
  const signer = new SignatureV4({
    service: opts.service ?? "rds",
    region: opts.region,
    credentials: opts.credentials,
    sha256: NodeSha256,
  });
  const signed = await signer.sign(
    {
      method: opts.method ?? "GET",
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: rawPath,
      query: Object.fromEntries(new URLSearchParams(rawQuery)),
      headers: { host: url.host, ...opts.headers },
      body: opts.body,
    },
    { signingDate: opts.signingDate },
  );
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method: signed.method, path, headers: signed.headers, agent: false },
      resolve,
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

export interface BufferedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export async function readResponse(res: http.IncomingMessage): Promise<BufferedResponse> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
}

/** A signed GET, buffered (rejects if the connection breaks mid-body). */
export async function signedGet(
  endpoint: string,
  path: string,
  opts: SignedRequestOptions,
): Promise<BufferedResponse> {
  return readResponse(await signedRequest(endpoint, path, { ...opts, method: "GET" }));
}
