/** The metadata check of one archive object: are `bytes`, `sha256` and the `rds-*` keys there, well formed and consistent with its key? */
import { ARCHIVE_METADATA, metadataText } from "../s3/metadata";

/** User metadata as S3 returns it: lower-case keys. */
export type ObjectMetadata = Readonly<Record<string, string>>;

export const PROVENANCE = ARCHIVE_METADATA;

/** The provenance and content facts an archive object's metadata carries, read. */
export interface Provenance {
  instance: string;
  file: string;
  size: number;
  lastWritten: number;
  bytes: number;
  sha256: string;
}

export type MetadataProblem =
  | { kind: "no-metadata"; detail: string }
  | { kind: "bad-metadata"; detail: string };

const WHOLE = /^(0|[1-9]\d*)$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** The object's provenance, or what is wrong with its metadata. `instance` is the instance segment of its key, decoded. */
export function readProvenance(meta: ObjectMetadata, instance: string): Provenance | MetadataProblem {
  const keys = Object.values(ARCHIVE_METADATA);
  const absent = keys.filter((k) => meta[k] === undefined || meta[k] === "");
  if (absent.length === keys.length) return { kind: "no-metadata", detail: "the object has none of the archive metadata (bytes, sha256, rds-*)" };
  if (absent.length > 0) return { kind: "bad-metadata", detail: `metadata lacks ${absent.join(", ")}` };
  const wrong: string[] = [];
  for (const k of [ARCHIVE_METADATA.size, ARCHIVE_METADATA.lastWritten, ARCHIVE_METADATA.bytes]) {
    if (!WHOLE.test(meta[k])) wrong.push(`${k}=${JSON.stringify(meta[k])} is not a whole number`);
  }
  if (!SHA256.test(meta[ARCHIVE_METADATA.sha256])) wrong.push(`sha256=${JSON.stringify(meta[ARCHIVE_METADATA.sha256])} is not a sha256`);
  const recorded = metadataText(meta[ARCHIVE_METADATA.instance]);
  if (recorded !== instance) wrong.push(`rds-instance=${JSON.stringify(recorded)} but the key files it under ${instance}`);
  if (wrong.length > 0) return { kind: "bad-metadata", detail: wrong.join("; ") };
  return {
    instance: recorded,
    file: metadataText(meta[ARCHIVE_METADATA.file]),
    size: Number(meta[ARCHIVE_METADATA.size]),
    lastWritten: Number(meta[ARCHIVE_METADATA.lastWritten]),
    bytes: Number(meta[ARCHIVE_METADATA.bytes]),
    sha256: meta[ARCHIVE_METADATA.sha256],
  };
}

export function isMetadataProblem(p: Provenance | MetadataProblem): p is MetadataProblem {
  return "kind" in p;
}
