/**
 * The AWS error code of an error: `Code` on SDK errors (`DBInstanceNotFound`), the system code of a plain
 * network error (`ECONNREFUSED`), else its name.
 */
export function errorCode(err: unknown): string {
  const e = err as { Code?: unknown; name?: unknown; code?: unknown };
  if (e && typeof e.Code === "string" && e.Code) return e.Code;
  if (e && e.name === "Error" && typeof e.code === "string" && /^E[A-Z_]+$/.test(e.code)) return e.code;
  if (e && typeof e.name === "string" && e.name) return e.name;
  return "Error";
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
