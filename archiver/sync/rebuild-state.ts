/**
 * A missing or unreadable state object, rebuilt from the archive: the keys the listing maps to are looked up
 * (one LIST per instance-hour folder, one HEAD per object found), and their provenance metadata says which
 * files are already archived. Without it, the run would download and upload again every file RDS still holds.
 */
import type { AwsClients } from "../aws-clients";
import type { ListedFile } from "../planning/log-file-names";
import type { Manifest } from "../planning/manifest";
import { rebuildManifest, rebuildTargets, type ArchivedVersion } from "../planning/rebuild-manifest";
import { findArchivedObjects } from "../s3/archive-reading";

export async function rebuildState(
  aws: AwsClients,
  bucket: string,
  target: { group: string; instance: string },
  listing: readonly ListedFile[],
): Promise<Manifest> {
  const targets = rebuildTargets(target.group, target.instance, listing);
  const found = await findArchivedObjects({ sdk: aws.sdk, s3: aws.s3, bucket }, targets);
  const archived = new Map<string, ArchivedVersion>();
  for (const [key, o] of found) archived.set(key, { key, lastModified: o.lastModified, ...("provenance" in o ? { provenance: o.provenance } : {}) });
  return rebuildManifest(target.instance, targets, archived);
}
