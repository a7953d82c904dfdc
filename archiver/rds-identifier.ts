/**
 * The one rule for RDS DB instance and cluster identifiers, shared by the stack config, the CLI and the Lambda
 * environment: 1 to 63 letters, digits or hyphens, starting with a letter, no two consecutive hyphens, not
 * ending with a hyphen. RDS stores identifiers in lower case and IAM compares ARNs case-sensitively, so upper
 * case is refused (with the lower-case spelling to write) rather than silently lowered: the archive prefix, the
 * role policy and the API calls then all use the one spelling the user wrote.
 */
export function identifierProblem(id: string): string | undefined {
  if (/[A-Z]/.test(id)) return `"${id}": RDS stores identifiers in lower case; write "${id.toLowerCase()}"`;
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(id) || id.includes("--") || id.endsWith("-")) {
    return `"${id}" is not a valid RDS identifier (1-63 letters, digits and hyphens, starting with a letter, no "--", not ending with "-")`;
  }
  return undefined;
}
