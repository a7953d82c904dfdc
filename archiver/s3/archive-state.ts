/** The bucket-side reads and writes that are not log content: bucket check, state objects, deletes. */
import type { AwsClients } from "../aws-clients";
import { stateKey } from "../layout/state-key";
import { parseStoredManifest, serializeManifest, emptyManifest, type Manifest } from "../planning/manifest";

/** Fails with a clear error when the bucket is missing or not ours to use. */
export async function checkBucket(aws: AwsClients, bucket: string): Promise<void> {
  try {
    await aws.s3.send(new aws.sdk.s3.HeadBucketCommand({ Bucket: bucket }));
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode;
    if (status === 404 || e.name === "NotFound" || e.name === "NoSuchBucket") {
      throw Object.assign(new Error(`bucket ${bucket} does not exist`), { name: "NoSuchBucket" });
    }
    if (status === 403 || e.name === "Forbidden" || e.name === "AccessDenied") {
      throw Object.assign(new Error(`access to bucket ${bucket} is denied`), { name: "AccessDenied" });
    }
    throw err;
  }
}

export async function readManifest(aws: AwsClients, bucket: string, group: string, instance: string): Promise<Manifest> {
  return (await readStoredManifest(aws, bucket, group, instance)) ?? emptyManifest();
}

/** The state object, or undefined when it is missing or unreadable. */
export async function readStoredManifest(aws: AwsClients, bucket: string, group: string, instance: string): Promise<Manifest | undefined> {
  try {
    const out = await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: bucket, Key: stateKey(group, instance) }));
    return parseStoredManifest(await out.Body?.transformToString("utf8"));
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404) return undefined;
    throw err;
  }
}

export async function writeManifest(aws: AwsClients, bucket: string, group: string, instance: string, manifest: Manifest): Promise<void> {
  await aws.s3.send(
    new aws.sdk.s3.PutObjectCommand({
      Bucket: bucket,
      Key: stateKey(group, instance),
      Body: serializeManifest(manifest),
      ContentType: "application/json",
    }),
  );
}

export async function deleteObject(aws: AwsClients, bucket: string, key: string): Promise<void> {
  await aws.s3.send(new aws.sdk.s3.DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
