/**
 * Where an archived log file goes: `<group>/<logtype>/<YYYY>/<MM>/<DD>/<HH>/<instance>/<file>.gz` (UTC).
 * The planner decides the log name and the hour from the file's identity (archiver/planning/archive-targets.ts).
 */
import { hourPath } from "./hour-path";
import { encodeSegment } from "./segments";

/** The logtype segment for a name with no directory part. */
export const ROOT_LOGTYPE = "_root";
/** S3's longest key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/** `<group>/`: every archive key of one instance, or of an Aurora cluster's members, starts with it. */
export function archivePrefix(group: string): string {
  return `${encodeSegment(group)}/`;
}

/** Splits `error/postgresql.log.x` into its logtype (`error`) and the rest; a name with no folder has no logtype. */
export function splitLogName(name: string): { logType: string | null; rest: string } {
  const slash = name.indexOf("/");
  if (slash <= 0) return { logType: null, rest: name };
  return { logType: name.slice(0, slash), rest: name.slice(slash + 1) };
}

/** The parts of an archive key, in key order. The Athena table's location template is built from the same order. */
export const ARCHIVE_KEY_PARTS = ["group", "logType", "hour", "instance", "file"] as const;
export type ArchiveKeyPart = (typeof ARCHIVE_KEY_PARTS)[number];

/** The logtype segment of a log name: its folder, encoded, or ROOT_LOGTYPE. */
export function logTypeSegment(logName: string): string {
  const { logType } = splitLogName(logName);
  // ROOT_LOGTYPE goes in unencoded: encodeSegment never yields a leading `_`, so no folder name can collide with it.
  return logType === null ? ROOT_LOGTYPE : encodeSegment(logType);
}

export function archiveKeyParts(group: string, instance: string, logName: string, period: number): Record<ArchiveKeyPart, string> {
  return {
    group: encodeSegment(group),
    logType: logTypeSegment(logName),
    hour: hourPath(period),
    instance: encodeSegment(instance),
    file: `${encodeSegment(splitLogName(logName).rest)}.gz`,
  };
}

export function archiveKey(group: string, instance: string, logName: string, period: number): string {
  const parts = archiveKeyParts(group, instance, logName, period);
  return ARCHIVE_KEY_PARTS.map((p) => parts[p]).join("/");
}

/** Why S3 would refuse the key, if it would. */
export function keyLengthError(key: string): string | undefined {
  const bytes = Buffer.byteLength(key, "utf8");
  return bytes > MAX_KEY_BYTES ? `key would be ${bytes} bytes, over S3's ${MAX_KEY_BYTES}` : undefined;
}
