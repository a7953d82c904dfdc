// Pulumi.yaml's declared defaults and the committed stack files, as the CLI would hand them to the program.
import * as fs from "node:fs";
import * as path from "node:path";
import { NAMESPACE } from "../../infra/config";

// js-yaml (a devDependency, untyped here) reads Pulumi.yaml and the stack files.
const yaml: { load(text: string): unknown } = require("js-yaml");

export const REPO = path.resolve(__dirname, "../..");

/** A config value as the CLI hands it to the program: lists and objects as JSON, scalars as strings. */
function cliValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function fullKey(key: string): string {
  return key.includes(":") ? key : `${NAMESPACE}:${key}`;
}

/** The defaults Pulumi.yaml declares, by full key, in their YAML types. */
export function projectDefaults(): Record<string, unknown> {
  const project = yaml.load(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8")) as {
    config: Record<string, { default?: unknown }>;
  };
  const defaults: Record<string, unknown> = {};
  for (const [key, declaration] of Object.entries(project.config)) {
    if (declaration.default !== undefined) defaults[fullKey(key)] = declaration.default;
  }
  return defaults;
}

/**
 * A stack's config as `pulumi preview` would hand it to the program: Pulumi.yaml's defaults, then
 * Pulumi.<stack>.yaml on top. Without the defaults, it is what the program sees if the CLI applied none.
 */
export function stackFileConfig(stack: string, opts: { projectDefaults?: boolean } = {}): Record<string, string> {
  const file = yaml.load(fs.readFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  const merged: Record<string, unknown> = { ...(opts.projectDefaults === false ? {} : projectDefaults()) };
  for (const [key, value] of Object.entries(file.config)) merged[fullKey(key)] = value;
  return Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, cliValue(v)]));
}
