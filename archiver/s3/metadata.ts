/** User metadata is sent as HTTP headers: characters outside printable ASCII (and `%`) are percent-encoded. */
export function metadataValue(value: string): string {
  return value.replace(/[^\x20-\x7e]|%/gu, (c) => encodeURIComponent(c));
}
