/**
 * Multipart uploads a hard-killed run left open (SIGKILL, out of memory, the Lambda's own timeout kill): a
 * graceful stop aborts its uploads itself. They are invisible, but their parts are stored and billed until
 * aborted, and a bucket without the lifecycle rule of the deployed one never aborts them.
 */
import type { AwsClients } from "../aws-clients";

/**
 * Only uploads older than this are aborted, so that a live copy of an overlapping run is never hit. No copy
 * lasts a day: even at 1 MB/s that is 86 GB. The deployed bucket's lifecycle rule uses the same age.
 */
export const STALE_UPLOAD_AGE_MS = 24 * 3_600_000;

export interface OpenUpload {
  key: string;
  uploadId: string;
  /** POSIX ms */
  initiated: number;
}

/** The uploads old enough to abort, except those an upload record owns (`recorded`: upload ids): a later run continues them. */
export function staleUploads(uploads: readonly OpenUpload[], now: number, recorded: readonly string[] = []): OpenUpload[] {
  return uploads.filter((u) => now - u.initiated > STALE_UPLOAD_AGE_MS && !recorded.includes(u.uploadId));
}

/** Aborts the stale uploads under `prefix` that no record owns; returns their keys. */
export async function abortStaleUploads(aws: AwsClients, bucket: string, prefix: string, now: number, recorded: readonly string[] = []): Promise<string[]> {
  const aborted: string[] = [];
  for (const u of staleUploads(await listOpenUploads(aws, bucket, prefix), now, recorded)) {
    await aws.s3.send(new aws.sdk.s3.AbortMultipartUploadCommand({ Bucket: bucket, Key: u.key, UploadId: u.uploadId }));
    aborted.push(u.key);
  }
  return aborted;
}

async function listOpenUploads(aws: AwsClients, bucket: string, prefix: string): Promise<OpenUpload[]> {
  const uploads: OpenUpload[] = [];
  let marker: { KeyMarker?: string; UploadIdMarker?: string } = {};
  for (;;) {
    const page = await aws.s3.send(new aws.sdk.s3.ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, ...marker }));
    for (const u of page.Uploads ?? []) {
      if (u.Key && u.UploadId && u.Initiated) uploads.push({ key: u.Key, uploadId: u.UploadId, initiated: u.Initiated.getTime() });
    }
    if (!page.IsTruncated || !page.NextKeyMarker) return uploads;
    marker = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
  }
}
