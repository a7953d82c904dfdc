/**
 * What every archive upload shares: the usual part size and the error for an object S3 cannot hold. The
 * upload itself is archiver/sync/member-copy.ts: gzip members in parts it sends one by one, so that a copy
 * can stop after any part and continue in a later run.
 */
export const PART_SIZE = 8 * 1024 * 1024;

/**
 * The body is larger than S3 can store: as one object, or in 10,000 parts of the chosen size. A plain Error
 * with a name, not a subclass: Pulumi's closure serializer cannot carry `extends Error` (docs/development.md, "Serializer pitfalls").
 */
export function objectTooLarge(message: string): Error {
  return Object.assign(new Error(message), { name: "ObjectTooLarge" });
}

export function isObjectTooLarge(err: unknown): boolean {
  return err instanceof Error && err.name === "ObjectTooLarge";
}
