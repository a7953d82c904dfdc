/**
 * SQS SendMessageBatch over SQS's JSON protocol (POST, `X-Amz-Target: AmazonSQS.SendMessageBatch`), SigV4-signed
 * for service `sqs` with the RDS client's credentials. The one SQS call the dispatcher makes does not justify
 * another SDK client in every function's zip; the signing is the same as the log download's.
 * The endpoint is AWS_ENDPOINT_URL_SQS (or AWS_ENDPOINT_URL) when set, else the queue URL's own origin.
 */
import * as http from "http";
import * as https from "https";
import type { AwsClients } from "../aws-clients";
import { Sha256 } from "../rds/sha256";

export interface BatchEntry {
  Id: string;
  MessageBody: string;
  MessageGroupId: string;
  MessageDeduplicationId: string;
}

export interface BatchResult {
  Successful: { Id: string; MessageId?: string }[];
  Failed: { Id: string; SenderFault?: boolean; Code?: string; Message?: string }[];
}

export type SendBatch = (entries: BatchEntry[]) => Promise<BatchResult>;

/** A plain Error with fields (the serializer cannot carry `extends Error`). */
function sqsError(message: string, status: number, code: string): Error {
  return Object.assign(new Error(message), { name: code, Code: code, status, $metadata: { httpStatusCode: status } });
}

export function sqsEndpoint(env: NodeJS.ProcessEnv, queueUrl: string): URL {
  const override = env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL;
  return new URL(override || new URL(queueUrl).origin);
}

/** A SendBatch bound to one queue. */
export function sqsBatchSender(aws: AwsClients, env: NodeJS.ProcessEnv, queueUrl: string): SendBatch {
  const endpoint = sqsEndpoint(env, queueUrl);
  return async (entries) => {
    const body = JSON.stringify({ QueueUrl: queueUrl, Entries: entries });
    const signer = new aws.sdk.signatureV4.SignatureV4({ service: "sqs", region: aws.region, credentials: aws.rds.config.credentials, sha256: Sha256 });
    const path = endpoint.pathname || "/";
    const signed = await signer.sign({
      method: "POST",
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path,
      query: {},
      headers: {
        host: endpoint.host,
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "AmazonSQS.SendMessageBatch",
      },
      body,
    });
    const { status, text } = await post(endpoint, path, signed.headers as Record<string, string>, body, aws.timeouts.readMs);
    if (status !== 200) {
      let code = `HTTP${status}`;
      let message = text.slice(0, 200);
      try {
        const parsed = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
        code = (parsed.__type ?? code).split("#").pop()!;
        message = parsed.message ?? parsed.Message ?? message;
      } catch {
        // not JSON: the status and the start of the body say enough
      }
      throw sqsError(`SendMessageBatch to ${queueUrl}: ${status} ${code} ${message}`, status, code);
    }
    const parsed = JSON.parse(text) as Partial<BatchResult>;
    return { Successful: parsed.Successful ?? [], Failed: parsed.Failed ?? [] };
  };
}

function post(endpoint: URL, path: string, headers: Record<string, string>, body: string, readMs: number): Promise<{ status: number; text: string }> {
  const transport = endpoint.protocol === "http:" ? http : https;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      { method: "POST", hostname: endpoint.hostname, port: endpoint.port || undefined, path, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.setTimeout(readMs, () => req.destroy(Object.assign(new Error(`${endpoint.host}: no answer for ${readMs / 1000} s`), { name: "TimeoutError", code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end(body);
  });
}
