import type { AwsClients } from "../aws-clients";
import type { ListedFile } from "../planning/log-file-names";

/** Every log file of an instance: DescribeDBLogFiles, following Marker to the last page. */
export async function listLogFiles(aws: AwsClients, instance: string, filenameContains?: string): Promise<ListedFile[]> {
  const files: ListedFile[] = [];
  const seenMarkers = new Set<string>();
  let marker: string | undefined;
  do {
    const page = await aws.rds.send(
      new aws.sdk.rds.DescribeDBLogFilesCommand({
        DBInstanceIdentifier: instance,
        ...(filenameContains ? { FilenameContains: filenameContains } : {}),
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    for (const d of page.DescribeDBLogFiles ?? []) {
      if (d.LogFileName === undefined) continue;
      files.push({ name: d.LogFileName, size: d.Size ?? 0, lastWritten: d.LastWritten ?? 0 });
    }
    marker = page.Marker || undefined;
    if (marker !== undefined) {
      if (seenMarkers.has(marker)) throw new Error(`DescribeDBLogFiles returned marker ${marker} twice for ${instance}`);
      seenMarkers.add(marker);
    }
  } while (marker !== undefined);
  return files;
}
