// A small IAM evaluator for identity policies, enough to ask "may this role do X to Y?" of the documents the
// program builds. Conditions are not evaluated: a conditional Allow counts as granting, so the answer is never
// narrower than AWS's, which is the safe side for tests that look for grants broader than needed.
import type { PolicyDocument, PolicyStatement } from "../../infra/policies";

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : [value].flat());

/** IAM's wildcard match: `*` is any run of characters, `?` any one. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}

function covers(s: PolicyStatement, action: string, resource: string): boolean {
  const actionMatches = s.Action !== undefined
    ? list(s.Action).some((a) => wildcardMatch(a, action, true))
    : !list(s.NotAction).some((a) => wildcardMatch(a, action, true));
  return actionMatches && list(s.Resource).some((r) => wildcardMatch(r, resource));
}

/** Whether the document allows `action` on `resource`: some Allow statement covers it and no unconditional Deny does. */
export function allows(doc: PolicyDocument, action: string, resource: string): boolean {
  const denied = doc.Statement.some((s) => s.Effect === "Deny" && !s.Condition && covers(s, action, resource));
  return !denied && doc.Statement.some((s) => s.Effect === "Allow" && covers(s, action, resource));
}
