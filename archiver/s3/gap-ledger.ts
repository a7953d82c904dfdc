/** Writes the gap ledger (archiver/layout/gap-key.ts): one JSON object per file lost, put once, never read back by the sync. */
import type { AwsClients } from "../aws-clients";
import { gapKey } from "../layout/gap-key";
import type { Gap } from "../planning/gaps";
import { putJson } from "./small-objects";

export async function recordGap(aws: AwsClients, bucket: string, gap: Gap): Promise<string> {
  const key = gapKey(gap.group, gap.instance, { name: gap.file, size: gap.size, lastWritten: gap.lastWritten });
  await putJson({ sdk: aws.sdk, s3: aws.s3, bucket }, key, {
    instance: gap.instance,
    group: gap.group,
    file: gap.file,
    size: gap.size,
    lastWritten: new Date(gap.lastWritten).toISOString(),
    noticedAt: new Date(gap.noticedAt).toISOString(),
    reason: gap.reason,
  });
  return key;
}
