/**
 * Reading raw config values and collecting their problems. Every problem names its full key
 * (`rds-log-archiver:<key>`), and all of them are reported at once. The errors are `pulumi.RunError`s: the CLI
 * prints the message without a stack trace, and `pulumi preview` fails before any resource is planned.
 */
import * as pulumi from "@pulumi/pulumi";

export const NAMESPACE = "rds-log-archiver";

export interface ConfigProblem {
  key: string;
  message: string;
}

/** One or more invalid config values. The message names each key. */
export class ConfigError extends pulumi.RunError {
  /** `keyName` shows a key as the user wrote it: a stack config key by default, an argument for RdsLogArchive. */
  constructor(readonly problems: ConfigProblem[], keyName: KeyName = stackConfigKey) {
    const describe = (p: ConfigProblem) => `${keyName(p.key)}: ${p.message}`;
    super(
      problems.length === 1
        ? describe(problems[0])
        : `invalid configuration:\n${problems.map((p) => `  - ${describe(p)}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

export type KeyName = (key: string) => string;

/** A key with its own namespace (`aws:allowedAccountIds`) is shown as is; the others under the project's. */
export function stackConfigKey(key: string): string {
  return key.includes(":") ? key : `${NAMESPACE}:${key}`;
}

/** Reads a raw config value the way `pulumi.Config.get` returns it: a string, or undefined when unset. */
export type ConfigSource = (key: string) => string | undefined;

/**
 * A list value: a YAML list in the stack file arrives as a JSON array string. A plain string
 * (`pulumi config set instances "a,b"`) is accepted as a comma- or space-separated list.
 * Undefined when the value is not a list.
 */
export function parseList(raw: string | undefined): string[] | undefined {
  const text = (raw ?? "").trim();
  if (!text) return [];
  if (!text.startsWith("[")) return text.split(/[\s,]+/).filter((s) => s.length > 0);
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.every((v) => typeof v === "string")) return parsed.map((v: string) => v.trim());
  } catch {
    // reported by the caller, with the value
  }
  return undefined;
}

/** Reads keys from one source, each with its validation; records every problem under its key. */
export interface ConfigReader {
  readonly problems: ConfigProblem[];
  report(key: string, message: string): void;
  /** The trimmed value; the fallback when unset or blank. */
  text(key: string, fallback?: string): string;
  /** A list; each item checked by `check`, and each listed at most once. */
  list(key: string, check?: (item: string) => string[]): string[];
  /** A whole number from min to max; the fallback when unset or invalid. */
  integer(key: string, fallback: number, min: number, max: number): number;
  boolean(key: string, fallback: boolean): boolean;
  /** One of `allowed`; undefined when the value is not one of them. */
  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T | undefined;
  /** Throws a ConfigError listing every problem recorded, if any. */
  check(): void;
}

export function configReader(get: ConfigSource, keyName?: KeyName): ConfigReader {
  const problems: ConfigProblem[] = [];
  const report = (key: string, message: string) => problems.push({ key, message });
  const raw = (key: string) => (get(key) ?? "").trim();

  return {
    problems,
    report,
    text: (key, fallback = "") => raw(key) || fallback,
    list(key, check) {
      const items = parseList(get(key));
      if (items === undefined) {
        report(key, `expected a list of strings, got ${raw(key)}`);
        return [];
      }
      const seen: string[] = [];
      for (const item of items) {
        for (const message of check?.(item) ?? []) report(key, message);
        if (seen.includes(item)) report(key, `"${item}" is listed more than once`);
        seen.push(item);
      }
      return items;
    },
    integer(key, fallback, min, max) {
      const value = raw(key);
      if (!value) return fallback;
      const n = Number(value);
      if (!/^-?\d+$/.test(value) || n < min || n > max) {
        report(key, `expected a whole number from ${min} to ${max}, got "${get(key)}"`);
        return fallback;
      }
      return n;
    },
    boolean(key, fallback) {
      const value = raw(key);
      if (!value) return fallback;
      if (value === "true" || value === "false") return value === "true";
      report(key, `expected true or false, got "${get(key)}"`);
      return fallback;
    },
    oneOf(key, allowed, fallback) {
      const value = raw(key) || fallback;
      if (allowed.includes(value as never)) return value as (typeof allowed)[number];
      report(key, `expected one of ${allowed.join(", ")}, got "${value}"`);
      return undefined;
    },
    check() {
      if (problems.length > 0) throw new ConfigError(problems, keyName);
    },
  };
}
