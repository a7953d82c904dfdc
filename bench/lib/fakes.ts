/** The fakes the bench runs against: the project's fake RDS and s3rver on loopback, and request tallies. */
import { FakeRds, type FakeRdsOptions, type RequestRecord } from "../../local-aws/fake-rds";
import { LocalS3, type S3RequestRecord } from "../../local-aws/local-s3";

export { FakeRds, LocalS3 };

export async function startFakes(buckets: string[], rdsOptions: FakeRdsOptions = {}): Promise<{ rds: FakeRds; s3: LocalS3; stop(): Promise<void> }> {
  const rds = await FakeRds.start(rdsOptions);
  const s3 = await LocalS3.start({ buckets });
  return {
    rds,
    s3,
    stop: async () => {
      await rds.stop();
      await s3.stop();
    },
  };
}

/** The S3 operation a logged request was, from method, path and query (s3rver, path-style). */
export function s3Operation(r: S3RequestRecord): string {
  const isBucket = r.path.split("/").filter(Boolean).length <= 1;
  const q = new URLSearchParams(r.query);
  switch (r.method) {
    case "HEAD":
      return isBucket ? "HeadBucket" : "HeadObject";
    case "GET":
      return isBucket ? "ListObjects" : "GetObject";
    case "PUT":
      if (isBucket) return "CreateBucket";
      return q.has("partNumber") ? "UploadPart" : "PutObject/CopyObject";
    case "POST":
      if (q.has("uploads")) return "CreateMultipartUpload";
      if (q.has("uploadId")) return "CompleteMultipartUpload";
      return "POST";
    case "DELETE":
      return q.has("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
    default:
      return r.method;
  }
}

/** S3 request pricing classes (us-east-1, Standard): PUT/COPY/POST/LIST, GET/HEAD (and other), DELETE (free). */
export function s3PriceClass(op: string): "put" | "get" | "free" {
  if (op === "DeleteObject" || op === "AbortMultipartUpload") return "free";
  if (op === "GetObject" || op === "HeadObject" || op === "HeadBucket") return "get";
  return "put";
}

export interface S3Tally {
  total: number;
  byOperation: Record<string, number>;
  /** Requests that write: PUT and POST (uploads, copies, state writes). */
  writes: number;
  priceClass: { put: number; get: number; free: number };
}

export function tallyS3(requests: readonly S3RequestRecord[]): S3Tally {
  const byOperation: Record<string, number> = {};
  const priceClass = { put: 0, get: 0, free: 0 };
  let writes = 0;
  for (const r of requests) {
    const op = s3Operation(r);
    byOperation[op] = (byOperation[op] ?? 0) + 1;
    priceClass[s3PriceClass(op)]++;
    if (r.method === "PUT" || r.method === "POST") writes++;
  }
  return { total: requests.length, byOperation, writes, priceClass };
}

export interface RdsTally {
  total: number;
  byAction: Record<string, number>;
  downloadBytes: number;
}

export function tallyRds(requests: readonly RequestRecord[], instance?: (id: string | undefined) => boolean): RdsTally {
  const byAction: Record<string, number> = {};
  let downloadBytes = 0;
  let total = 0;
  for (const r of requests) {
    if (instance && !instance(r.instance)) continue;
    total++;
    byAction[r.action] = (byAction[r.action] ?? 0) + 1;
    if (r.action === "download") downloadBytes += r.bytes ?? 0;
  }
  return { total, byAction, downloadBytes };
}
