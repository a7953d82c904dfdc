/**
 * FifoQueue (fifo-queue.ts) behind SQS's JSON protocol over real HTTP on loopback: SendMessageBatch and
 * SendMessage, the calls the dispatcher makes. A request must carry a SigV4 signature for service `sqs` that
 * verifies with the fake credentials. Queues are addressed by URL, `<endpoint>/<account>/<name>.fifo`.
 * Faults: `failNext` refuses whole requests (throttling) or single entries (SenderFault false), so a test sees
 * the dispatcher send them again.
 */
import * as crypto from "node:crypto";
import * as http from "node:http";
import { SignatureV4 } from "@smithy/signature-v4";
import { FifoQueue, type FifoQueueOptions } from "./fifo-queue";
import { NodeSha256, type FakeCredentials } from "./sigv4";

export const FAKE_ACCOUNT = "123456789012";
const CREDENTIALS: FakeCredentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const MAX_BATCH_BYTES = 256 * 1024;

export interface SqsFault {
  kind: "throttle" | "entry-failure";
  times: number;
}

export class FakeSqs {
  private readonly queues = new Map<string, FifoQueue>();
  private readonly faults: SqsFault[] = [];
  /** Every request's action, in order. */
  readonly requests: string[] = [];

  private constructor(private readonly server: http.Server, readonly region: string) {}

  static async start(region = "us-east-1"): Promise<FakeSqs> {
    const server = http.createServer();
    const sqs = new FakeSqs(server, region);
    server.on("request", (req, res) => void sqs.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
    return sqs;
  }

  get endpoint(): string {
    const { port } = this.server.address() as { port: number };
    return `http://127.0.0.1:${port}`;
  }

  /** Creates a queue; its URL is what the dispatcher is configured with. */
  createQueue(o: FifoQueueOptions): { url: string; queue: FifoQueue } {
    const queue = new FifoQueue(o);
    const url = `${this.endpoint}/${FAKE_ACCOUNT}/${o.name}`;
    this.queues.set(url, queue);
    return { url, queue };
  }

  failNext(fault: SqsFault): void {
    this.faults.push({ ...fault });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const body = await readBody(req);
      const target = String(req.headers["x-amz-target"] ?? "");
      const action = target.replace(/^AmazonSQS\./, "");
      this.requests.push(action);
      if (req.method !== "POST" || !target.startsWith("AmazonSQS.")) throw sqsFault(400, "UnknownOperation", `no operation ${target}`);
      if (!String(req.headers["content-type"]).startsWith("application/x-amz-json-1.0")) throw sqsFault(400, "InvalidParameterValue", "expected application/x-amz-json-1.0");
      await this.authenticate(req, body);
      const input = JSON.parse(body.toString("utf8")) as { QueueUrl?: string; Entries?: unknown[] } & Record<string, unknown>;
      const queue = this.queues.get(input.QueueUrl ?? "");
      if (!queue) throw sqsFault(400, "QueueDoesNotExist", `The specified queue does not exist: ${input.QueueUrl}`);
      if (this.take("throttle")) throw sqsFault(400, "ThrottlingException", "Rate exceeded");
      let out: unknown;
      if (action === "SendMessageBatch") out = this.sendBatch(queue, input.Entries ?? [], body.length);
      else if (action === "SendMessage") out = this.sendOne(queue, input);
      else throw sqsFault(400, "UnsupportedOperation", `${action} is not supported by this fake`);
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end(JSON.stringify(out));
    } catch (err) {
      const e = err as { status?: number; name?: string; message?: string };
      const code = e.name ?? "InternalError";
      res.writeHead(e.status ?? 500, { "content-type": "application/x-amz-json-1.0", "x-amzn-query-error": `AWS.SimpleQueueService.${code};Sender` })
        .end(JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message: e.message ?? "" }));
    }
  }

  private sendBatch(queue: FifoQueue, entries: unknown[], bytes: number) {
    if (entries.length === 0) throw sqsFault(400, "EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request.");
    if (entries.length > 10) throw sqsFault(400, "TooManyEntriesInBatchRequest", `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
    if (bytes > MAX_BATCH_BYTES) throw sqsFault(400, "BatchRequestTooLong", "Batch requests cannot be longer than 262144 bytes.");
    const typed = entries as { Id: string; MessageBody: string; MessageGroupId: string; MessageDeduplicationId: string }[];
    if (new Set(typed.map((e) => e.Id)).size !== typed.length) throw sqsFault(400, "BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.");
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    for (const e of typed) {
      if (this.take("entry-failure")) {
        Failed.push({ Id: e.Id, SenderFault: false, Code: "InternalError", Message: "injected" });
        continue;
      }
      try {
        const sent = queue.send({ body: e.MessageBody, groupId: e.MessageGroupId, deduplicationId: e.MessageDeduplicationId });
        Successful.push({ Id: e.Id, MessageId: sent.messageId, SequenceNumber: sent.sequenceNumber, MD5OfMessageBody: md5(e.MessageBody) });
      } catch (err) {
        Failed.push({ Id: e.Id, SenderFault: true, Code: (err as Error).name, Message: (err as Error).message });
      }
    }
    return { Successful, Failed };
  }

  private sendOne(queue: FifoQueue, input: Record<string, unknown>) {
    const body = String(input.MessageBody ?? "");
    const sent = queue.send({ body, groupId: String(input.MessageGroupId ?? ""), deduplicationId: String(input.MessageDeduplicationId ?? "") });
    return { MessageId: sent.messageId, SequenceNumber: sent.sequenceNumber, MD5OfMessageBody: md5(body) };
  }

  private take(kind: SqsFault["kind"]): boolean {
    const fault = this.faults.find((f) => f.kind === kind);
    if (!fault) return false;
    if (--fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return true;
  }

  private async authenticate(req: http.IncomingMessage, body: Buffer): Promise<void> {
    const authorization = String(req.headers.authorization ?? "");
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(authorization);
    if (!m) throw sqsFault(403, "MissingAuthenticationToken", "Request is missing a SigV4 Authorization header");
    const [, accessKeyId, , region, service, signedHeaders, signature] = m;
    if (accessKeyId !== CREDENTIALS.accessKeyId) throw sqsFault(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    if (service !== "sqs" || region !== this.region) throw sqsFault(403, "SignatureDoesNotMatch", `credential scope ${region}/${service}, expected ${this.region}/sqs`);
    const amzDate = String(req.headers["x-amz-date"] ?? "");
    const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!d) throw sqsFault(403, "IncompleteSignature", "The request must contain a signed X-Amz-Date header.");
    const signingDate = new Date(Date.UTC(+d[1], +d[2] - 1, +d[3], +d[4], +d[5], +d[6]));
    const names = signedHeaders.split(";");
    const headers: Record<string, string> = {};
    for (const name of names) headers[name] = String(req.headers[name] ?? "");
    const [path, query = ""] = (req.url ?? "/").split("?", 2);
    const signer = new SignatureV4({ service: "sqs", region, credentials: CREDENTIALS, sha256: NodeSha256 });
    const signed = await signer.sign(
      { method: req.method ?? "POST", protocol: "http:", hostname: "127.0.0.1", path, query: Object.fromEntries(new URLSearchParams(query)), headers, body },
      { signingDate, signableHeaders: new Set(names) },
    );
    const expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))?.[1] ?? "";
    if (expected.length !== signature.length || !crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
      throw sqsFault(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
    }
  }
}

function sqsFault(status: number, code: string, message: string): Error {
  return Object.assign(new Error(message), { name: code, status });
}

function md5(s: string): string {
  return crypto.createHash("md5").update(s).digest("hex");
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
