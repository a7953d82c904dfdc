/**
 * S3's naming rules for general purpose buckets, checked before any request so that a typo is one clear
 * line instead of an HTTP error: 3 to 63 characters; lower-case letters, digits, dots and hyphens; a letter
 * or digit first and last; no two dots in a row; not an IP address; none of the reserved prefixes and suffixes.
 */

const RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/** Why S3 would refuse `name` as a bucket name, with what to do; undefined when it is valid. */
export function bucketNameProblem(name: string): string | undefined {
  const url = /^(s3|s3a|s3n|https?):\/\/([^/]*)/i.exec(name);
  if (url) return `"${name}" is a URL, not a bucket name: pass the name alone, e.g. ${url[2] || "my-bucket"}`;
  if (name.includes("/")) return `"${name}" contains "/": pass the bucket name alone, without a key prefix`;
  if (name.length < 3 || name.length > 63) return `"${name}" is ${name.length} characters; a bucket name has 3 to 63`;
  if (/[A-Z]/.test(name) && /^[A-Za-z0-9.-]+$/.test(name)) return `"${name}" has upper-case letters; bucket names are lower case: ${name.toLowerCase()}`;
  if (!/^[a-z0-9.-]+$/.test(name)) return `"${name}" may contain only lower-case letters, digits, dots and hyphens`;
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return `"${name}" must start and end with a letter or digit`;
  if (name.includes("..")) return `"${name}" has two dots in a row`;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return `"${name}" is formatted as an IP address, which S3 refuses`;
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `"${name}" starts with "${prefix}", which S3 reserves`;
  const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `"${name}" ends with "${suffix}", which S3 reserves`;
  return undefined;
}
