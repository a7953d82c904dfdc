/**
 * Where an archived log file goes: `<group>/<logtype>/<YYYY>/<MM>/<DD>/<HH>/<instance>/<file>.gz` (UTC).
 * The planner decides the log name and the hour from the file's identity (archiver/planning/archive-targets.ts).
 */
import { hourPath } from "./hour-path";
import { decodeSegment, encodeSegment } from "./segments";

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

export function archiveKey(group: string, instance: string, logName: string, period: number): string {
  return `${archiveHourPrefix(group, instance, logName, period)}${encodeSegment(splitLogName(logName).rest)}.gz`;
}

/**
 * `<group>/<logtype>/<YYYY>/<MM>/<DD>/<HH>/<instance>/`: the folder of one instance's logs of one type and hour.
 * Readers list these, never the whole group, so a listing costs what the question needs, not the archive's age.
 */
export function archiveHourPrefix(group: string, instance: string, logName: string, period: number): string {
  const { logType } = splitLogName(logName);
  // ROOT_LOGTYPE goes in unencoded: encodeSegment never yields a leading `_`, so no folder name can collide with it.
  const logTypeSegment = logType === null ? ROOT_LOGTYPE : encodeSegment(logType);
  return `${archivePrefix(group)}${[logTypeSegment, hourPath(period), encodeSegment(instance)].join("/")}/`;
}

/** The instance-hour folder (archiveHourPrefix) an archive key is in: no encoded segment contains a `/`. */
export function archiveKeyFolder(key: string): string {
  return key.slice(0, key.lastIndexOf("/") + 1);
}

/** The parts of an archive key, decoded; undefined for a key of another shape. */
export interface ArchiveKeyParts {
  group: string;
  /** The logtype segment as decoded; ROOT_LOGTYPE for names without a folder. */
  logType: string;
  /** The key's hour, POSIX ms. */
  hour: number;
  instance: string;
  /** The file part of the log name (without the logtype folder and the `.gz`). */
  rest: string;
}

const ARCHIVE_KEY = /^([^/]+)\/([^/]+)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/([^/]+)\/([^/]+)\.gz$/;

export function parseArchiveKey(key: string): ArchiveKeyParts | undefined {
  const m = ARCHIVE_KEY.exec(key);
  if (!m) return undefined;
  const [, group, logType, y, mo, d, h, instance, rest] = m;
  const hour = Date.UTC(+y, +mo - 1, +d, +h);
  if (hourPath(hour) !== `${y}/${mo}/${d}/${h}`) return undefined;
  try {
    return {
      group: decodeSegment(group),
      logType: logType === ROOT_LOGTYPE ? ROOT_LOGTYPE : decodeSegment(logType),
      hour,
      instance: decodeSegment(instance),
      rest: decodeSegment(rest),
    };
  } catch {
    return undefined;
  }
}

/** Why S3 would refuse the key, if it would. */
export function keyLengthError(key: string): string | undefined {
  const bytes = Buffer.byteLength(key, "utf8");
  return bytes > MAX_KEY_BYTES ? `key would be ${bytes} bytes, over S3's ${MAX_KEY_BYTES}` : undefined;
}
