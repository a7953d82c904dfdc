/**
 * The store of one instance's upload records (./upload-record.ts), one object beside its state. The copies of
 * an instance run concurrently, so every change goes through one queue and writes the whole object: the last
 * write always holds every copy's latest record.
 */
import type { AwsClients } from "../aws-clients";
import { uploadRecordKey } from "../layout/upload-record-key";
import { parseRecords, type UploadRecord, type UploadRecords } from "./upload-record";
import { UPLOAD_CHECKSUM } from "./upload-checksum";

export interface UploadRecordStore {
  get(key: string): UploadRecord | undefined;
  all(): UploadRecord[];
  put(record: UploadRecord): Promise<void>;
  drop(key: string): Promise<void>;
}

export async function readUploadRecords(aws: AwsClients, bucket: string, group: string, instance: string): Promise<UploadRecords> {
  try {
    const out = await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: bucket, Key: uploadRecordKey(group, instance) }));
    return parseRecords(await out.Body?.transformToString("utf8"));
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404) return parseRecords(undefined);
    throw err;
  }
}

export async function openUploadRecords(aws: AwsClients, bucket: string, group: string, instance: string): Promise<UploadRecordStore> {
  const records = await readUploadRecords(aws, bucket, group, instance);
  const existed = Object.keys(records.uploads).length > 0;
  let written = existed;
  let queue: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    const body = JSON.stringify(records);
    const empty = Object.keys(records.uploads).length === 0;
    // An instance that never had a record gets no object: an idle run stays one listing and one GET per instance.
    if (empty && !written) return queue;
    written = true;
    const write = queue.then(() =>
      aws.s3.send(new aws.sdk.s3.PutObjectCommand({ Bucket: bucket, Key: uploadRecordKey(group, instance), Body: body, ContentType: "application/json", ChecksumAlgorithm: UPLOAD_CHECKSUM })),
    );
    queue = write.then(() => undefined, () => undefined);
    return write.then(() => undefined);
  };
  return {
    get: (key) => records.uploads[key],
    all: () => Object.values(records.uploads),
    put: (record) => {
      records.uploads[record.key] = record;
      return save();
    },
    drop: (key) => {
      if (!(key in records.uploads)) return Promise.resolve();
      delete records.uploads[key];
      return save();
    },
  };
}
