/**
 * One line per problem, naming the instance and the file, and what to do next. The CLI prints each once, on
 * stderr, as it happens; the summary on stdout counts them but does not repeat them.
 */
import type { SyncEvent, SyncReport } from "../report";
import { PROGRAM } from "./args";

/** What to do about an AWS error code, when there is something better than "the next run tries again". */
export function nextStep(code: string | undefined, what: "instance" | "cluster" | "file"): string {
  const c = code ?? "";
  if (/^DBInstanceNotFound/.test(c)) return "check the instance id, --region and --profile";
  if (/^DBClusterNotFound/.test(c)) return "check the cluster id, --region and --profile";
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized|Forbidden/.test(c)) return "grant these credentials the permission (see docs/security.md), then run again";
  if (/ExpiredToken|InvalidClientTokenId|SignatureDoesNotMatch|InvalidAccessKeyId/.test(c)) return "renew or fix the credentials, then run again";
  if (/Throttl|RequestLimitExceeded|TooManyRequests|SlowDown/.test(c)) return "the next run tries again; a lower --concurrency leaves RDS API quota for others";
  if (/Timeout|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH/.test(c)) return "check the endpoint and the network; the next run tries again";
  return what === "file" ? "the next run tries it again" : "the next run tries again";
}

/** The line for a failed or deferred event; undefined for the others. */
export function problemLine(e: SyncEvent): string | undefined {
  if (e.type === "deferred") return `${PROGRAM}: ${e.instance} ${e.file}: deferred: ${e.reason}`;
  if (e.type !== "failed") return undefined;
  if (e.file === undefined) {
    const code = e.code ? `${e.code}: ` : "";
    return `${PROGRAM}: ${e.instance}: failed: ${code}${stripCode(e.reason, e.code)}; ${nextStep(e.code, "instance")}`;
  }
  // A file the planner refused (no key): it stays unarchived until the cause is fixed, and the reason says why.
  if (e.key === undefined) return `${PROGRAM}: ${e.instance} ${e.file}: not archived: ${e.reason}; see docs/exactly-once.md`;
  return `${PROGRAM}: ${e.instance} ${e.file}: failed: ${e.reason}; ${nextStep(e.code, "file")}`;
}

/** Run-level failures (an unknown cluster) come with the report, not as events. */
export function errorLines(report: SyncReport): string[] {
  return report.errors.map((e) => `${PROGRAM}: ${e.target}: failed: ${e.code}: ${e.message}; ${nextStep(e.code, "cluster")}`);
}

function stripCode(reason: string, code: string | undefined): string {
  return code && reason.startsWith(`${code}: `) ? reason.slice(code.length + 2) : reason;
}

/** The --include prefixes that matched no file listed by any instance that could be listed (none: no warning). */
export function unmatchedIncludes(report: SyncReport, include: readonly string[]): string[] {
  const listed = report.instances.filter((r) => !r.error);
  if (listed.length === 0) return [];
  const names: string[] = [];
  for (const r of listed) {
    if (r.error) continue;
    for (const list of [r.copied, r.deferred, r.failed, r.planned ?? [], r.skipped.filter((s) => s.skip !== "excluded")]) {
      for (const o of list) names.push(o.file);
    }
  }
  return include.filter((p) => !names.some((n) => n.startsWith(p)));
}
