/** Small whole-object writes: archived events, subscription batches, rejected payloads. */
import { createHash } from "crypto";
import { gzipSync } from "zlib";
import type { S3Client } from "@aws-sdk/client-s3";
import type { AwsSdk } from "../aws-sdk";
import { REJECTED_PREFIX } from "../layout/prefixes";
import { dayPath } from "../planning/hour-path";

export interface BucketWriter {
  sdk: Pick<AwsSdk, "s3">;
  s3: S3Client;
  bucket: string;
}

export async function putJson(w: BucketWriter, key: string, value: unknown): Promise<void> {
  await w.s3.send(new w.sdk.s3.PutObjectCommand({ Bucket: w.bucket, Key: key, Body: JSON.stringify(value), ContentType: "application/json" }));
}

export async function putGzipText(w: BucketWriter, key: string, text: string, metadata: Record<string, string> = {}): Promise<void> {
  await w.s3.send(
    new w.sdk.s3.PutObjectCommand({ Bucket: w.bucket, Key: key, Body: gzipSync(text), ContentType: "application/gzip", Metadata: metadata }),
  );
}

/**
 * `_rejected/<YYYY>/<MM>/<DD>/<sha256 of the payload>.json`: a payload that cannot be archived is kept with
 * its error, never dropped. The same payload redelivered lands on the same key.
 */
export function rejectedKey(payload: unknown, receivedAt: number): string {
  const digest = createHash("sha256").update(JSON.stringify(payload) ?? "undefined").digest("hex");
  return `${REJECTED_PREFIX}${dayPath(receivedAt)}/${digest}.json`;
}

export async function putRejected(w: BucketWriter, source: string, error: string, payload: unknown, receivedAt: number): Promise<string> {
  const key = rejectedKey(payload, receivedAt);
  await putJson(w, key, { source, error, receivedAt: new Date(receivedAt).toISOString(), payload: payload ?? null });
  return key;
}
