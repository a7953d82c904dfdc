/** User metadata is sent as HTTP headers: characters outside printable ASCII (and `%`) are percent-encoded. */
export function metadataValue(value: string): string {
  return value.replace(/[^\x20-\x7e]|%/gu, (c) => encodeURIComponent(c));
}

/** The user metadata keys of every archive object: where its content came from, and what it is. */
export const ARCHIVE_METADATA = {
  instance: "rds-instance",
  file: "rds-log-file",
  size: "rds-size",
  lastWritten: "rds-last-written",
  bytes: "bytes",
  sha256: "sha256",
} as const;

/** Inverse of metadataValue. */
export function metadataText(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
