/**
 * When a finished download may be archived: the policy, pure. A copy that fails a check stores nothing: the
 * checks run before the upload completes (archiver/sync/copy-log-file.ts).
 */
import type { ListedFile } from "../planning/log-file-names";
import type { CopyAction } from "../planning/plan-instance";

/** What one download delivered. */
export interface Received {
  /** Whether the HTTP body arrived whole, as its framing says. */
  complete: boolean;
  bytes: number;
  endsAtLineBreak: boolean;
  /** sha256 of the body as served; only for files that may legitimately arrive smaller than listed. */
  sha256?: string;
}

/** A download shorter than listed, remembered so that the next attempt at the same copy can confirm it. */
export interface ShortRead {
  bytes: number;
  sha256: string;
}

/** The file changed between listing and download: re-plan the instance rather than retry this copy. */
export function changedDuringCopy(message: string): Error {
  return Object.assign(new Error(message), { name: "ChangedDuringCopy" });
}

export function isChangedDuringCopy(err: unknown): boolean {
  return err instanceof Error && err.name === "ChangedDuringCopy";
}

/** A broken transfer: the retry policy treats it like a reset connection and downloads again. */
export function transferError(message: string): Error {
  return Object.assign(new Error(message), { code: "ECONNRESET" });
}

/** RDS filters MySQL error logs on download, so they legitimately arrive smaller than listed. */
export function mayArriveSmaller(name: string): boolean {
  return /(^|\/)mysql-error/.test(name);
}

/** A whole download shorter than listed that may be the file's real content: worth remembering for the next attempt. */
export function shortReadOf(file: ListedFile, received: Received): ShortRead | undefined {
  if (!received.complete || received.bytes >= file.size || !mayArriveSmaller(file.name)) return undefined;
  if (received.sha256 === undefined || !received.endsAtLineBreak) return undefined;
  return { bytes: received.bytes, sha256: received.sha256 };
}

/**
 * Why a finished download cannot be archived, or undefined when it can. A body smaller than listed is accepted
 * only from a file that may arrive smaller, when it ends at a line break and the previous attempt (`earlierShort`)
 * returned exactly the same bytes: a body cut short by the network fails at least one of the two.
 */
export function downloadProblem(file: ListedFile, received: Received, earlierShort?: ShortRead): string | undefined {
  if (!received.complete) return `download of ${file.name} ended early after ${received.bytes} bytes`;
  if (received.bytes >= file.size) return undefined;
  const short = shortReadOf(file, received);
  const confirmed = short !== undefined && earlierShort?.bytes === short.bytes && earlierShort.sha256 === short.sha256;
  return confirmed ? undefined : `download of ${file.name} returned ${received.bytes} bytes, ${file.size} were listed`;
}

/** For a copy checked by `relist`: the files that must still be listed exactly so, and a name substring to list them by. */
export function relistScope(action: CopyAction): { contains: string; files: readonly ListedFile[] } {
  return action.unchanged ?? { contains: action.file.name, files: [action.file] };
}

/** The first file of the scope that a listing taken after the download no longer shows with the same LastWritten and size. */
export function movedSince(scope: readonly ListedFile[], listingNow: readonly ListedFile[]): ListedFile | undefined {
  return scope.find((f) => !listingNow.some((n) => n.name === f.name && n.lastWritten === f.lastWritten && n.size === f.size));
}
