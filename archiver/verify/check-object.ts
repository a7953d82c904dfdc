/** The metadata check of one archive object (pure): are `bytes`, `sha256` and the `rds-*` keys there, well formed, and true to the key? */
import { METADATA_KEYS, type ProvenanceResult } from "../s3/metadata";
import type { ObjectFinding } from "./verify-report";

export function checkObjectMetadata(
  key: string,
  keyInstance: string,
  metadata: Readonly<Record<string, string | undefined>>,
  read: ProvenanceResult,
): ObjectFinding | undefined {
  if (Object.values(METADATA_KEYS).every((k) => metadata[k] === undefined || metadata[k] === "")) {
    return { key, problem: "no-metadata", detail: "the object has none of the archive metadata (bytes, sha256, rds-*)" };
  }
  if ("problems" in read) return { key, problem: "bad-metadata", detail: read.problems.join("; ") };
  if (read.provenance.instance !== keyInstance) {
    return { key, problem: "bad-metadata", detail: `rds-instance says ${read.provenance.instance}, but the key files it under ${keyInstance}` };
  }
  return undefined;
}

/** --deep: the content read back against the metadata. */
export function checkContent(key: string, recorded: { bytes: number; sha256: string }, read: { bytes: number; sha256: string }): ObjectFinding | undefined {
  const wrong: string[] = [];
  if (read.bytes !== recorded.bytes) wrong.push(`holds ${read.bytes} bytes, metadata says ${recorded.bytes}`);
  if (read.sha256 !== recorded.sha256) wrong.push(`content sha256 ${read.sha256}, metadata says ${recorded.sha256}`);
  return wrong.length > 0 ? { key, problem: "mismatched", detail: wrong.join("; ") } : undefined;
}
