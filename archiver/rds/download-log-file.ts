/**
 * The REST download of a whole log file: GET <endpoint>/v19/downloadCompleteLogFile/<instance>/<file>,
 * SigV4-signed for service `rds`. No SDK has it; DownloadDBLogFilePortion truncates and garbles content.
 * /v19/ is the path AWS documents; the older /v13/ stops working on 2027-03-01.
 */
import * as http from "http";
import * as https from "https";
import type { AwsClients } from "../aws-clients";
import { Sha256 } from "./sha256";

export interface DownloadError extends Error {
  status: number;
  code: string;
}

/** A plain Error with fields, not a subclass: the serializer cannot carry `extends Error` (docs/development.md, "Serializer pitfalls"). */
function downloadError(message: string, status: number, code: string): DownloadError {
  return Object.assign(new Error(message), { name: code, status, code });
}

/** RFC 3986 encoding of one path segment, as SigV4 expects. */
function encodePathSegment(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function downloadPath(instance: string, file: string): string {
  return `/v19/downloadCompleteLogFile/${encodePathSegment(instance)}/${file.split("/").map(encodePathSegment).join("/")}`;
}

/**
 * Opens the download. Resolves with the response once a 200 arrives (or a 206, for a request with `rangeFrom`);
 * the caller streams its body. `rangeFrom` asks for the body from that byte on (`Range: bytes=<n>-`): whether
 * RDS honours it is unconfirmed, so the caller reads the status and Content-Range (./range-response.ts).
 * Other statuses reject with a DownloadError carrying the RDS error code. An abort of `signal` destroys
 * the request, and the body too once it streams.
 */
export async function openLogFileDownload(
  aws: AwsClients,
  instance: string,
  file: string,
  signal?: AbortSignal,
  rangeFrom?: number,
): Promise<http.IncomingMessage> {
  const base = aws.rdsEndpoint;
  const path = `${base.pathname.replace(/\/$/, "")}${downloadPath(instance, file)}`;
  const signer = new aws.sdk.signatureV4.SignatureV4({
    service: "rds",
    region: aws.region,
    credentials: aws.rds.config.credentials,
    sha256: Sha256,
  });
  // Sign at the RDS client's skew-corrected time: the SDK learns the server's clock from its responses.
  const clockOffset = (aws.rds.config as { systemClockOffset?: number }).systemClockOffset ?? 0;
  const signed = await signer.sign({
    method: "GET",
    protocol: base.protocol,
    hostname: base.hostname,
    ...(base.port ? { port: Number(base.port) } : {}),
    path,
    query: {},
    headers: { host: base.host },
  }, { signingDate: new Date(Date.now() + clockOffset) });
  const transport = base.protocol === "http:" ? http : https;
  const { connectMs, readMs } = aws.timeouts;
  const what = `download of ${instance} ${file} from ${base.host}`;
  return new Promise((resolve, reject) => {
    let response: http.IncomingMessage | undefined;
    const req = transport.request(
      {
        method: "GET", protocol: base.protocol, hostname: base.hostname, port: base.port || undefined, path,
        headers: rangeFrom ? { ...signed.headers, range: `bytes=${rangeFrom}-` } : signed.headers,
        ...(signal ? { signal } : {}),
      },
      (res) => {
        response = res;
        if (res.statusCode === 200 || (rangeFrom && res.statusCode === 206)) return resolve(res);
        readErrorBody(res).then((body) => {
          const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? `HTTP${res.statusCode}`;
          const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? body.slice(0, 200);
          reject(downloadError(`download of ${file} failed: ${res.statusCode} ${code} ${message}`.trim(), res.statusCode ?? 0, code));
        }, reject);
      },
    );
    const fail = (message: string) => {
      const err = timeoutError(`${what}: ${message}`);
      response?.destroy(err);
      req.destroy(err);
    };
    req.once("socket", (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => fail(`no connection within ${connectMs / 1000} s`), connectMs);
      socket.once("connect", () => clearTimeout(timer));
      req.once("close", () => clearTimeout(timer));
    });
    // An idle timeout, not a total one: it covers waiting for the headers and every pause the server makes in the
    // body. A body the copy holds back itself (backpressure while a part uploads) is not a silent server: its
    // timeout starts again once the body flows.
    const onIdle = () => {
      if (response?.isPaused()) response.once("resume", () => req.setTimeout(readMs, onIdle));
      else fail(`no data for ${readMs / 1000} s`);
    };
    req.setTimeout(readMs, onIdle);
    req.on("error", reject);
    req.end();
  });
}

function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { name: "TimeoutError", code: "ETIMEDOUT" });
}

async function readErrorBody(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    if (size < 65_536) chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return Buffer.concat(chunks).toString("utf8");
}
