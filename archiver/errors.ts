/** The AWS error code of an error: `Code` on SDK errors (`DBInstanceNotFound`), else its name. */
export function errorCode(err: unknown): string {
  const e = err as { Code?: unknown; name?: unknown };
  if (e && typeof e.Code === "string" && e.Code) return e.Code;
  if (e && typeof e.name === "string" && e.name) return e.name;
  return "Error";
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
