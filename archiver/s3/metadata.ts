/**
 * The user metadata of an archived object: where its content came from in RDS (`rds-*`) and what it is
 * (`bytes`, `sha256` of the uncompressed content). The sync writes it, and the archive's readers (the state
 * rebuild, verify) read it back through readProvenance.
 */

/** The user metadata keys, as S3 returns them (lower case). */
export const METADATA_KEYS = {
  instance: "rds-instance",
  file: "rds-log-file",
  size: "rds-size",
  lastWritten: "rds-last-written",
  bytes: "bytes",
  sha256: "sha256",
} as const;

/** What an archived object's metadata says about it. */
export interface Provenance {
  instance: string;
  /** The RDS name of the file when it was copied. */
  file: string;
  /** Size and LastWritten as RDS listed them when the copy was planned. */
  size: number;
  lastWritten: number;
  /** Uncompressed bytes archived, and their sha256 (hex). */
  bytes: number;
  sha256: string;
}

/** User metadata is sent as HTTP headers: characters outside printable ASCII (and `%`) are percent-encoded. */
export function metadataValue(value: string): string {
  return value.replace(/[^\x20-\x7e]|%/gu, (c) => encodeURIComponent(c));
}

/** The metadata known before the content is read: the file as listed. */
export function sourceMetadata(instance: string, file: { name: string; size: number; lastWritten: number }): Record<string, string> {
  return {
    [METADATA_KEYS.instance]: instance,
    [METADATA_KEYS.file]: metadataValue(file.name),
    [METADATA_KEYS.size]: String(file.size),
    [METADATA_KEYS.lastWritten]: String(file.lastWritten),
  };
}

/** The metadata known once the content has been read. */
export function contentMetadata(bytes: number, sha256: string): Record<string, string> {
  return { [METADATA_KEYS.bytes]: String(bytes), [METADATA_KEYS.sha256]: sha256 };
}

export type ProvenanceResult = { provenance: Provenance } | { problems: string[] };

/** Reads an object's metadata back; names every key that is missing or malformed. */
export function readProvenance(metadata: Readonly<Record<string, string | undefined>> | undefined): ProvenanceResult {
  const m = metadata ?? {};
  const problems: string[] = [];
  const text = (k: string): string => {
    const v = m[k];
    if (v === undefined || v === "") problems.push(`no ${k} metadata`);
    return v ?? "";
  };
  const count = (k: string): number => {
    const v = text(k);
    if (v !== "" && !/^\d+$/.test(v)) problems.push(`${k} metadata is not a whole number: ${JSON.stringify(v)}`);
    return Number(v);
  };
  let file = text(METADATA_KEYS.file);
  try {
    file = decodeURIComponent(file);
  } catch {
    problems.push(`${METADATA_KEYS.file} metadata is not percent-encoded UTF-8: ${JSON.stringify(file)}`);
  }
  const provenance: Provenance = {
    instance: text(METADATA_KEYS.instance),
    file,
    size: count(METADATA_KEYS.size),
    lastWritten: count(METADATA_KEYS.lastWritten),
    bytes: count(METADATA_KEYS.bytes),
    sha256: text(METADATA_KEYS.sha256),
  };
  if (provenance.sha256 !== "" && !/^[0-9a-f]{64}$/.test(provenance.sha256)) {
    problems.push(`${METADATA_KEYS.sha256} metadata is not a hex sha256: ${JSON.stringify(provenance.sha256)}`);
  }
  return problems.length > 0 ? { problems } : { provenance };
}
