/**
 * Reading archive keys back (archive-key.ts builds them): the parts of a key, and the prefix of one logtype,
 * hour and instance, so readers list only the hours they need.
 */
import { archivePrefix } from "./archive-key";
import { hourPath } from "./hour-path";
import { decodeSegment, encodeSegment } from "./segments";

export interface ArchiveKeyParts {
  group: string;
  /** The logtype segment as stored (`error`, `_root`...). */
  logTypeSegment: string;
  /** The start of the key's hour, POSIX ms. */
  hour: number;
  instance: string;
  /** The file part, decoded, without `.gz`. */
  file: string;
}

const HOUR_PATH = /^(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})$/;

/** The parts of `<group>/<logtype>/<YYYY>/<MM>/<DD>/<HH>/<instance>/<file>.gz`, or undefined for any other key. */
export function parseArchiveKey(key: string): ArchiveKeyParts | undefined {
  const parts = key.split("/");
  if (parts.length !== 8 || !parts[7].endsWith(".gz")) return undefined;
  const [group, logTypeSegment, y, mo, d, h, instance, file] = parts;
  const hp = HOUR_PATH.exec([y, mo, d, h].join("/"));
  if (!hp) return undefined;
  const hour = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h));
  if (hourPath(hour) !== [y, mo, d, h].join("/")) return undefined;
  try {
    return { group: decodeSegment(group), logTypeSegment, hour, instance: decodeSegment(instance), file: decodeSegment(file.slice(0, -3)) };
  } catch {
    return undefined;
  }
}

/** `<group>/<logtype>/<YYYY>/<MM>/<DD>/<HH>/<instance>/`: every object of one instance, logtype and hour. */
export function instanceHourPrefix(group: string, logTypeSegment: string, hour: number, instance: string): string {
  return `${archivePrefix(group)}${logTypeSegment}/${hourPath(hour)}/${encodeSegment(instance)}/`;
}

/** The logtype segment of a `<group>/<logtype>/` common prefix. */
export function logTypeSegmentOf(commonPrefix: string, group: string): string | undefined {
  const head = archivePrefix(group);
  if (!commonPrefix.startsWith(head) || !commonPrefix.endsWith("/")) return undefined;
  const segment = commonPrefix.slice(head.length, -1);
  return segment && !segment.includes("/") ? segment : undefined;
}
