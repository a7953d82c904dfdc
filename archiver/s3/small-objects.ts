/** Small whole-object writes: archived events, subscription batches, rejected payloads. */
import { gzipSync } from "zlib";
import type { S3Client } from "@aws-sdk/client-s3";
import type { AwsSdk } from "../aws-sdk";
import { rejectedKey } from "../layout/rejected-key";
import { UPLOAD_CHECKSUM } from "./upload-checksum";

export interface BucketWriter {
  sdk: Pick<AwsSdk, "s3">;
  s3: S3Client;
  bucket: string;
}

export async function putJson(w: BucketWriter, key: string, value: unknown): Promise<void> {
  await w.s3.send(new w.sdk.s3.PutObjectCommand({ Bucket: w.bucket, Key: key, Body: JSON.stringify(value), ContentType: "application/json", ChecksumAlgorithm: UPLOAD_CHECKSUM }));
}

export async function putGzipText(w: BucketWriter, key: string, text: string, metadata: Record<string, string> = {}): Promise<void> {
  await w.s3.send(
    new w.sdk.s3.PutObjectCommand({
      Bucket: w.bucket, Key: key, Body: gzipSync(text), ContentType: "application/gzip", Metadata: metadata, ChecksumAlgorithm: UPLOAD_CHECKSUM,
    }),
  );
}

/** A payload that cannot be archived is kept with its error, never dropped. */
export async function putRejected(w: BucketWriter, source: string, error: string, payload: unknown, receivedAt: number): Promise<string> {
  const key = rejectedKey(payload, receivedAt);
  await putJson(w, key, { source, error, receivedAt: new Date(receivedAt).toISOString(), payload: payload ?? null });
  return key;
}
