// A fake RDS endpoint on loopback: the Query API calls the archiver uses, the REST complete-log-file
// download, SigV4 verification like AWS, and injectable faults. The real AWS SDK v3 RDSClient accepts it.
//
// The download is served at /v19/downloadCompleteLogFile/<instance>/<file>, the path AWS documents. The old
// /v13/ path is served only while the fake's clock is before LEGACY_DOWNLOAD_RETIRED_AT: AWS states that API
// versions before 2014-10-31, /v13/ among them, stop working on 2027-03-01. It does not document the response
// a retired path gets; here it is the answer to any unknown route (404 UnknownOperationException).
import * as crypto from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { SignatureV4 } from "@smithy/signature-v4";
import { FakeCredentials, NodeSha256, sha256Hex } from "./sigv4";

export type { FakeCredentials } from "./sigv4";

/** Generated content is produced range by range while streaming, so multi-GiB files never sit in memory. */
export type FakeContent = Buffer | { generate: (start: number, end: number) => Buffer; size: number };

export interface FakeLogFile {
  name: string;
  lastWritten: number;
  content: FakeContent;
  /** what DescribeDBLogFiles reports, when not the content's size */
  listedSize?: number;
}

/**
 * `hang`: the request is read and never answered; `stall-mid-body`: half the body is sent, then nothing more,
 * with the connection left open. Both last until the client gives up.
 */
export type FaultKind = "http500" | "throttle" | "hang" | "reset-mid-body" | "truncate-body" | "stall-mid-body";

export interface Fault {
  on: "describe" | "download" | "clusters";
  kind: FaultKind;
  /** default 1 */
  times?: number;
  instance?: string;
  /** matches DBClusterIdentifier of a DescribeDBClusters request */
  cluster?: string;
  file?: string;
  /** A body fault cuts the body at this byte of the file (when the body reaches it) instead of halfway. */
  atByte?: number;
}

export interface RequestRecord {
  action: "DescribeDBLogFiles" | "DescribeDBClusters" | "download" | string;
  /** the path version of a download */
  apiVersion?: DownloadApiVersion;
  instance?: string;
  cluster?: string;
  file?: string;
  /** final HTTP status (200 also for a body cut by a fault) */
  status: number;
  /** a download's Range header, as sent */
  range?: string;
  /** body bytes written: the log content for a download, the XML otherwise */
  bytes?: number;
  /** an error code sent in the body, if any */
  code?: string;
  fault?: FaultKind;
  /** the response did not finish cleanly (reset by a fault, or the client went away) */
  aborted?: boolean;
}

export interface FakeRdsOptions {
  region?: string;
  /** accepted credentials; default DEFAULT_CREDENTIALS */
  credentials?: FakeCredentials[];
  /** DescribeDBLogFiles page size when MaxRecords is absent; default 100 */
  pageSize?: number;
  /** reject requests whose x-amz-date is further than this from now() (AWS: 15 min); default Infinity */
  maxSkewMs?: number;
  /** the server's clock, for the skew check and the Date header; default Date.now */
  now?: () => number;
  /**
   * Answer a download's `Range: bytes=<n>-` with 206 and the body from byte n. Off by default: whether RDS
   * honours Range is unconfirmed, so the engine must work both ways.
   */
  honourRange?: boolean;
}

export const DEFAULT_CREDENTIALS: readonly FakeCredentials[] = [
  { accessKeyId: "AKIDFAKERDS", secretAccessKey: "fake-secret" },
  // child processes get one credential set for both RDS and s3rver, which only accepts this one
  { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
];

export const MAX_CHUNK = 1024 * 1024;
const MAX_RECORDS_CAP = 1000;
const MAX_REQUEST_BODY = 1024 * 1024;
const XMLNS = "http://rds.amazonaws.com/doc/2014-10-31/";
export type DownloadApiVersion = "v19" | "v13";
/** 2027-03-01T00:00:00Z: from then on, AWS no longer serves /v13/. */
export const LEGACY_DOWNLOAD_RETIRED_AT = Date.UTC(2027, 2, 1);

export function contentSize(content: FakeContent): number {
  return Buffer.isBuffer(content) ? content.length : content.size;
}

export function readContent(content: FakeContent, start: number, end: number): Buffer {
  if (Buffer.isBuffer(content)) return content.subarray(start, end);
  const chunk = content.generate(start, end);
  if (chunk.length !== end - start) {
    throw new Error(`generate(${start}, ${end}) returned ${chunk.length} bytes`);
  }
  return chunk;
}

/** `size` bytes of `pattern` repeated, computed for any range without materializing the whole. */
export function repeatedContent(pattern: string | Buffer, size: number): FakeContent {
  const unit = Buffer.isBuffer(pattern) ? pattern : Buffer.from(pattern, "utf8");
  if (unit.length === 0) throw new Error("empty pattern");
  return {
    size,
    generate(start, end) {
      const out = Buffer.allocUnsafe(end - start);
      let written = 0;
      while (written < out.length) {
        const offset = (start + written) % unit.length;
        written += unit.copy(out, written, offset, Math.min(unit.length, offset + out.length - written));
      }
      return out;
    },
  };
}

/** Thrown to leave a request unanswered. */
class Hang extends Error {}

export class RdsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: "Sender" | "Receiver" = "Sender",
  ) {
    super(message);
  }
}

function escapeXml(text: string): string {
  const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
  return text.replace(/[&<>"']/g, (c) => entities[c]);
}

function element(name: string, value: string | number | boolean): string {
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function errorXml(code: string, message: string, type: string, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${XMLNS}"><Error>${element("Type", type)}${element("Code", code)}` +
    `${element("Message", message)}</Error>${element("RequestId", requestId)}</ErrorResponse>`
  );
}

function resultXml(action: string, inner: string, requestId: string): string {
  return (
    `<${action}Response xmlns="${XMLNS}"><${action}Result>${inner}</${action}Result>` +
    `<ResponseMetadata>${element("RequestId", requestId)}</ResponseMetadata></${action}Response>`
  );
}

function encodeMarker(lastName: string): string {
  return Buffer.from(JSON.stringify({ after: lastName }), "utf8").toString("base64url");
}

function decodeMarker(marker: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(marker, "base64url").toString("utf8"));
    const after = (parsed as { after?: unknown }).after;
    if (typeof after === "string") return after;
  } catch {
    // fall through
  }
  throw new RdsError(400, "InvalidParameterValue", `Invalid Marker: ${marker}`);
}

function integerParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw)) throw new RdsError(400, "InvalidParameterValue", `Invalid value for ${name}: ${raw}`);
  return Number(raw);
}

function requiredParam(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (!value) throw new RdsError(400, "MissingParameter", `The request must contain the parameter ${name}`);
  return value;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new RdsError(400, "InvalidParameterValue", `Malformed path segment: ${segment}`);
  }
}

/** The raw query string as the signer sees it: keys and values decoded, `+` kept literal as AWS does. */
function parseRawQuery(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const pair of raw.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = decodeSegment(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : decodeSegment(pair.slice(eq + 1));
    const existing = query[key];
    query[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return query;
}

interface ParsedAuthorization {
  accessKeyId: string;
  scope: { date: string; region: string; service: string; terminator: string };
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(value: string): ParsedAuthorization {
  const match = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
    value.trim(),
  );
  const parts = match?.[1].split("/");
  if (!match || !parts || parts.length !== 5) {
    throw new RdsError(403, "IncompleteSignature", `Authorization header is not a valid AWS4-HMAC-SHA256 signature: ${value}`);
  }
  const [accessKeyId, date, region, service, terminator] = parts;
  return {
    accessKeyId,
    scope: { date, region, service, terminator },
    signedHeaders: match[2].split(";"),
    signature: match[3],
  };
}

function parseAmzDate(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) throw new RdsError(403, "IncompleteSignature", `Invalid X-Amz-Date: ${value}`);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

function headerValue(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req) {
    length += (chunk as Buffer).length;
    if (length > MAX_REQUEST_BODY) throw new RdsError(413, "RequestEntityTooLarge", "Request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Resolves when the response can take more data, or is gone. */
function writable(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

function writeAndFlush(res: http.ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve) => {
    res.once("close", resolve);
    res.write(chunk, () => resolve());
  });
}

type Route =
  | { kind: "query"; params: URLSearchParams }
  | { kind: "download"; apiVersion: DownloadApiVersion; instance: string; file: string }
  | { kind: "unknown" };

export class FakeRds {
  readonly requests: RequestRecord[] = [];
  /**
   * Called after a download request is authenticated (and not failed by an http500/throttle fault),
   * before the file is looked up and its body sent: lets a test change files between listing and download.
   */
  beforeDownload?: (instance: string, file: string) => void | Promise<void>;

  private readonly instances = new Map<string, Map<string, FakeLogFile>>();
  private readonly clusters = new Map<string, string[]>();
  private readonly faults: Fault[] = [];
  private readonly credentials: FakeCredentials[];
  private readonly pageSize: number;
  private readonly maxSkewMs: number;
  private readonly now: () => number;
  /** FakeRdsOptions.honourRange; may be switched between requests. */
  honourRange: boolean;

  private constructor(
    private readonly server: http.Server,
    readonly region: string,
    opts: FakeRdsOptions,
  ) {
    this.credentials = [...(opts.credentials ?? DEFAULT_CREDENTIALS)];
    this.pageSize = Math.min(opts.pageSize ?? 100, MAX_RECORDS_CAP);
    this.maxSkewMs = opts.maxSkewMs ?? Infinity;
    this.now = opts.now ?? Date.now;
    this.honourRange = opts.honourRange ?? false;
  }

  static async start(opts: FakeRdsOptions = {}): Promise<FakeRds> {
    const server = http.createServer();
    const rds = new FakeRds(server, opts.region ?? "us-east-1", opts);
    server.on("request", (req, res) => void rds.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
    return rds;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  addCredentials(credentials: FakeCredentials): void {
    this.credentials.push(credentials);
  }

  addInstance(id: string): void {
    if (!this.instances.has(id)) this.instances.set(id, new Map());
  }

  removeInstance(id: string): void {
    this.instances.delete(id);
  }

  setCluster(clusterId: string, memberIds: string[]): void {
    this.clusters.set(clusterId, [...memberIds]);
  }

  removeCluster(id: string): void {
    this.clusters.delete(id);
  }

  putFile(instance: string, file: FakeLogFile): void {
    this.instanceFiles(instance).set(file.name, { ...file });
  }

  removeFile(instance: string, name: string): void {
    this.instanceFiles(instance).delete(name);
  }

  /** Like a rotation's rename: keeps lastWritten and content, replaces `to` if it exists. */
  renameFile(instance: string, from: string, to: string): void {
    const files = this.instanceFiles(instance);
    const file = files.get(from);
    if (!file) throw new Error(`no file ${from} on ${instance}`);
    files.delete(from);
    files.set(to, { ...file, name: to });
  }

  files(instance: string): FakeLogFile[] {
    return this.sortedFiles(instance).map((f) => ({ ...f }));
  }

  injectFault(fault: Fault): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  resetRequests(): void {
    this.requests.length = 0;
  }

  private instanceFiles(instance: string): Map<string, FakeLogFile> {
    const files = this.instances.get(instance);
    if (!files) throw new RdsError(404, "DBInstanceNotFound", `DBInstance ${instance} not found.`);
    return files;
  }

  private sortedFiles(instance: string): FakeLogFile[] {
    return [...this.instanceFiles(instance).values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Consumes the first fault matching the request if it is one of `kinds`. Faults apply strictly in
   * order: a body fault at the head waits for a request that gets as far as sending a body.
   */
  private takeFault(on: Fault["on"], record: RequestRecord, kinds: FaultKind[]): Fault | undefined {
    const index = this.faults.findIndex(
      (f) =>
        f.on === on &&
        (f.instance === undefined || f.instance === record.instance) &&
        (f.cluster === undefined || f.cluster === record.cluster) &&
        (f.file === undefined || f.file === record.file),
    );
    const fault = this.faults[index];
    if (!fault || !kinds.includes(fault.kind)) return undefined;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    record.fault = fault.kind;
    return fault;
  }

  private throwStatusFault(on: Fault["on"], record: RequestRecord): void {
    const fault = this.takeFault(on, record, ["http500", "throttle", "hang"]);
    if (fault?.kind === "hang") throw new Hang();
    if (fault?.kind === "http500") {
      throw new RdsError(500, "InternalFailure", "An internal error has occurred.", "Receiver");
    }
    if (fault?.kind === "throttle") {
      // Query API throttling is HTTP 400; for the REST download the status is not documented, 429 is a guess
      throw new RdsError(on === "download" ? 429 : 400, "Throttling", "Rate exceeded");
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const record: RequestRecord = { action: "unknown", status: 0 };
    res.on("close", () => {
      record.status = res.statusCode;
      if (!res.writableFinished) record.aborted = true;
      this.requests.push(record);
    });
    res.setHeader("Date", new Date(this.now()).toUTCString());
    const requestId = crypto.randomUUID();
    res.setHeader("x-amzn-RequestId", requestId);
    try {
      const body = await readBody(req);
      const route = this.route(req, body);
      this.describeRoute(route, record);
      await this.authenticate(req, body);
      if (route.kind === "query") await this.handleQuery(route.params, record, res, requestId);
      else if (route.kind === "download") await this.handleDownload(route.instance, route.file, record, res, headerValue(req, "range"));
      else throw new RdsError(404, "UnknownOperationException", `No route for ${req.method} ${req.url}`);
    } catch (error) {
      if (!(error instanceof Hang)) this.sendError(res, record, error, requestId);
    }
  }

  private route(req: http.IncomingMessage, body: Buffer): Route {
    const [path, query = ""] = (req.url ?? "/").split("?", 2);
    if (path === "/" && (req.method === "POST" || req.method === "GET")) {
      const params = new URLSearchParams(query);
      if (req.method === "POST") new URLSearchParams(body.toString("utf8")).forEach((v, k) => params.append(k, v));
      return { kind: "query", params };
    }
    const download = /^\/(v19|v13)\/downloadCompleteLogFile\/(.*)$/.exec(path);
    if (req.method === "GET" && download) {
      const apiVersion = download[1] as DownloadApiVersion;
      if (apiVersion === "v13" && this.now() >= LEGACY_DOWNLOAD_RETIRED_AT) return { kind: "unknown" };
      const [instance, ...file] = download[2].split("/").map(decodeSegment);
      return { kind: "download", apiVersion, instance, file: file.join("/") };
    }
    return { kind: "unknown" };
  }

  private describeRoute(route: Route, record: RequestRecord): void {
    if (route.kind === "download") {
      Object.assign(record, { action: "download", apiVersion: route.apiVersion, instance: route.instance, file: route.file });
    } else if (route.kind === "query") {
      record.action = route.params.get("Action") ?? "unknown";
      const instance = route.params.get("DBInstanceIdentifier");
      const cluster = route.params.get("DBClusterIdentifier");
      if (instance !== null) record.instance = instance;
      if (cluster !== null) record.cluster = cluster;
    }
  }

  private async authenticate(req: http.IncomingMessage, body: Buffer): Promise<void> {
    const authorization = headerValue(req, "authorization");
    if (!authorization) throw new RdsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
    const auth = parseAuthorization(authorization);
    const credentials = this.credentials.find((c) => c.accessKeyId === auth.accessKeyId);
    if (!credentials) {
      throw new RdsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    }
    this.checkSessionToken(req, credentials, auth);
    const amzDate = headerValue(req, "x-amz-date");
    if (!amzDate || !auth.signedHeaders.includes("x-amz-date")) {
      throw new RdsError(403, "IncompleteSignature", "The request must contain a signed X-Amz-Date header.");
    }
    const signingDate = parseAmzDate(amzDate);
    this.checkScope(auth, amzDate);
    const expected = await this.expectedSignature(req, body, credentials, auth.signedHeaders, signingDate);
    const a = Buffer.from(expected, "hex");
    const b = Buffer.from(auth.signature, "hex");
    if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) {
      throw new RdsError(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided.",
      );
    }
    const skew = Math.abs(signingDate.getTime() - this.now());
    if (skew > this.maxSkewMs) {
      throw new RdsError(
        403,
        "RequestExpired",
        `Request has expired. Timestamp date is ${amzDate}, server time is ${new Date(this.now()).toISOString()}.`,
      );
    }
  }

  private checkSessionToken(req: http.IncomingMessage, credentials: FakeCredentials, auth: ParsedAuthorization): void {
    const token = headerValue(req, "x-amz-security-token");
    if (token !== credentials.sessionToken) {
      throw new RdsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    }
    if (token !== undefined && !auth.signedHeaders.includes("x-amz-security-token")) {
      throw new RdsError(403, "SignatureDoesNotMatch", "X-Amz-Security-Token must be a signed header.");
    }
  }

  private checkScope(auth: ParsedAuthorization, amzDate: string): void {
    const { date, region, service, terminator } = auth.scope;
    if (date !== amzDate.slice(0, 8) || region !== this.region || service !== "rds" || terminator !== "aws4_request") {
      throw new RdsError(
        403,
        "SignatureDoesNotMatch",
        `Credential should be scoped to ${amzDate.slice(0, 8)}/${this.region}/rds/aws4_request, not ${Object.values(auth.scope).join("/")}`,
      );
    }
  }

  /** Re-signs the request as received: raw path and query, only the headers the client signed. */
  private async expectedSignature(
    req: http.IncomingMessage,
    body: Buffer,
    credentials: FakeCredentials,
    signedHeaders: string[],
    signingDate: Date,
  ): Promise<string> {
    if (!signedHeaders.includes("host")) {
      throw new RdsError(403, "SignatureDoesNotMatch", "The host header must be signed.");
    }
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
      const value = headerValue(req, name);
      if (value === undefined) throw new RdsError(403, "SignatureDoesNotMatch", `Signed header ${name} is missing.`);
      headers[name] = value;
    }
    // the payload hash is always that of the body received, whatever the client claims
    if ("x-amz-content-sha256" in headers) headers["x-amz-content-sha256"] = sha256Hex(body);
    const [path, query = ""] = (req.url ?? "/").split("?", 2);
    const signer = new SignatureV4({
      service: "rds",
      region: this.region,
      credentials,
      sha256: NodeSha256,
      applyChecksum: false,
    });
    const signed = await signer.sign(
      {
        method: req.method ?? "GET",
        protocol: "http:",
        hostname: "127.0.0.1",
        path,
        query: parseRawQuery(query),
        headers,
        body: body.length > 0 ? body : undefined,
      },
      { signingDate, signableHeaders: new Set(signedHeaders) },
    );
    return /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))?.[1] ?? "";
  }

  private async handleQuery(
    params: URLSearchParams,
    record: RequestRecord,
    res: http.ServerResponse,
    requestId: string,
  ): Promise<void> {
    const action = params.get("Action");
    let on: Fault["on"];
    let xml: () => string;
    if (action === "DescribeDBLogFiles") {
      on = "describe";
      xml = () => this.describeLogFiles(params, requestId);
    } else if (action === "DescribeDBClusters") {
      on = "clusters";
      xml = () => this.describeClusters(params, requestId);
    } else {
      throw new RdsError(400, "InvalidAction", `The action ${action} is not valid for this web service.`);
    }
    this.throwStatusFault(on, record);
    const body = Buffer.from(xml(), "utf8");
    const fault = this.takeFault(on, record, ["reset-mid-body", "truncate-body", "stall-mid-body"]);
    res.writeHead(200, { "Content-Type": "text/xml" });
    await this.streamBody(res, body, record, fault);
  }

  private describeLogFiles(params: URLSearchParams, requestId: string): string {
    const instance = requiredParam(params, "DBInstanceIdentifier");
    const maxRecords = integerParam(params, "MaxRecords") ?? this.pageSize;
    if (maxRecords < 1) throw new RdsError(400, "InvalidParameterValue", `Invalid MaxRecords: ${maxRecords}`);
    const marker = params.get("Marker");
    const after = marker ? decodeMarker(marker) : undefined;
    const contains = params.get("FilenameContains");
    const since = integerParam(params, "FileLastWritten");
    const largerThan = integerParam(params, "FileSize");
    const matching = this.sortedFiles(instance)
      .map((f) => ({ name: f.name, lastWritten: f.lastWritten, size: f.listedSize ?? contentSize(f.content) }))
      .filter(
        (f) =>
          (after === undefined || f.name > after) &&
          (!contains || f.name.includes(contains)) &&
          (since === undefined || f.lastWritten >= since) &&
          (largerThan === undefined || f.size > largerThan),
      );
    const page = matching.slice(0, Math.min(maxRecords, MAX_RECORDS_CAP));
    const details = page
      .map(
        (f) =>
          `<DescribeDBLogFilesDetails>${element("LogFileName", f.name)}${element("LastWritten", f.lastWritten)}` +
          `${element("Size", f.size)}</DescribeDBLogFilesDetails>`,
      )
      .join("");
    const next = matching.length > page.length ? element("Marker", encodeMarker(page[page.length - 1].name)) : "";
    return resultXml("DescribeDBLogFiles", `<DescribeDBLogFiles>${details}</DescribeDBLogFiles>${next}`, requestId);
  }

  private describeClusters(params: URLSearchParams, requestId: string): string {
    const id = params.get("DBClusterIdentifier");
    let ids = [...this.clusters.keys()].sort();
    if (id) {
      if (!this.clusters.has(id)) throw new RdsError(404, "DBClusterNotFoundFault", `DBCluster ${id} not found.`);
      ids = [id];
    }
    const clusters = ids
      .map((clusterId) => {
        const members = (this.clusters.get(clusterId) ?? [])
          .map(
            (member, i) =>
              `<DBClusterMember>${element("DBInstanceIdentifier", member)}` +
              `${element("IsClusterWriter", i === 0)}</DBClusterMember>`,
          )
          .join("");
        return (
          `<DBCluster>${element("DBClusterIdentifier", clusterId)}${element("Status", "available")}` +
          `<DBClusterMembers>${members}</DBClusterMembers></DBCluster>`
        );
      })
      .join("");
    return resultXml("DescribeDBClusters", `<DBClusters>${clusters}</DBClusters>`, requestId);
  }

  private async handleDownload(
    instance: string,
    file: string,
    record: RequestRecord,
    res: http.ServerResponse,
    range?: string,
  ): Promise<void> {
    this.throwStatusFault("download", record);
    await this.beforeDownload?.(instance, file);
    const found = this.instanceFiles(instance).get(file);
    if (!file || !found) throw new RdsError(404, "DBLogFileNotFoundFault", `DBLog File: ${file}, is not found on the DB instance`);
    const fault = this.takeFault("download", record, ["reset-mid-body", "truncate-body", "stall-mid-body"]);
    const size = contentSize(found.content);
    const from = this.honourRange ? Number(/^bytes=(\d+)-$/.exec(range ?? "")?.[1] ?? NaN) : NaN;
    if (range !== undefined) record.range = range;
    if (Number.isInteger(from) && from < size) {
      res.writeHead(206, { "Content-Type": "text/plain; charset=UTF-8", "Content-Range": `bytes ${from}-${size - 1}/${size}` });
      await this.streamBody(res, found.content, record, fault, from);
      return;
    }
    // no Content-Length: Node sends Transfer-Encoding: chunked, as RDS is reported to
    res.writeHead(200, { "Content-Type": "text/plain; charset=UTF-8" });
    await this.streamBody(res, found.content, record, fault);
  }

  /** Streams in chunks of at most MAX_CHUNK; a body fault cuts it at half its size. */
  private async streamBody(
    res: http.ServerResponse,
    content: FakeContent,
    record: RequestRecord,
    fault: Fault | undefined,
    from = 0,
  ): Promise<void> {
    const size = contentSize(content);
    const limit = !fault ? size : fault.atByte !== undefined ? Math.min(size, Math.max(from, fault.atByte)) : from + Math.floor((size - from) / 2);
    record.bytes = 0;
    res.flushHeaders();
    let sent = from;
    while (sent < limit && !res.destroyed) {
      const end = Math.min(limit, sent + MAX_CHUNK);
      const chunk = readContent(content, sent, end);
      sent = end;
      record.bytes += chunk.length;
      if (fault?.kind === "reset-mid-body" && sent === limit) await writeAndFlush(res, chunk);
      else if (!res.write(chunk)) await writable(res);
    }
    if (fault?.kind === "reset-mid-body") res.socket?.destroy();
    else if (fault?.kind !== "stall-mid-body") res.end();
  }

  private sendError(res: http.ServerResponse, record: RequestRecord, error: unknown, requestId: string): void {
    const rdsError =
      error instanceof RdsError
        ? error
        : new RdsError(500, "InternalFailure", `Fake RDS failure: ${String(error)}`, "Receiver");
    record.code = rdsError.code;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = Buffer.from(errorXml(rdsError.code, rdsError.message, rdsError.type, requestId), "utf8");
    record.bytes = body.length;
    res.writeHead(rdsError.status, { "Content-Type": "text/xml", "Content-Length": body.length });
    res.end(body);
  }
}
