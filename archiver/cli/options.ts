/**
 * A small, pure option parser the CLI's commands share: each command declares its options as typed specs,
 * and gets back typed values or a UsageError naming the option. `--name value` and `--name=value` both work;
 * a repeatable option collects every value; any other option given twice is an error.
 */
import { parseSeconds, parseWholeNumber } from "../numbers";

export interface UsageError extends Error {
  name: "UsageError";
}

// A plain Error with a name, like the settings' errors: nothing here depends on `instanceof` across modules.
export function usageError(message: string): UsageError {
  return Object.assign(new Error(message), { name: "UsageError" as const });
}

export function isUsageError(err: unknown): err is UsageError {
  return err instanceof Error && err.name === "UsageError";
}

interface SpecBase {
  /** The option as typed, e.g. "--bucket". */
  flag: `--${string}`;
  /** The value's placeholder in the help, e.g. "<name>". */
  placeholder?: string;
  help: string;
}

export interface FlagSpec extends SpecBase { kind: "flag" }
export interface TextSpec extends SpecBase { kind: "text" }
export interface ListSpec extends SpecBase { kind: "list" }
export interface WholeSpec extends SpecBase { kind: "whole"; min: number; max: number }
export interface SecondsSpec extends SpecBase { kind: "seconds"; max?: number }
export interface ChoiceSpec<C extends string = string> extends SpecBase { kind: "choice"; choices: readonly C[] }

export type OptionSpec = FlagSpec | TextSpec | ListSpec | WholeSpec | SecondsSpec | ChoiceSpec;
export type OptionSpecs = Record<string, OptionSpec>;

/** What each kind of spec parses to: a flag is a boolean, a list an array; the rest are undefined when absent. */
export type OptionValue<S extends OptionSpec> = S extends FlagSpec
  ? boolean
  : S extends ListSpec
    ? string[]
    : S extends WholeSpec | SecondsSpec
      ? number | undefined
      : S extends ChoiceSpec<infer C>
        ? C | undefined
        : string | undefined;

export type OptionValues<S extends OptionSpecs> = { [K in keyof S]: OptionValue<S[K]> };

export interface ParsedOptions<S extends OptionSpecs> {
  values: OptionValues<S>;
  /** Arguments that are not options, in order (after `--`, everything is one). */
  positionals: string[];
}

export function parseOptions<S extends OptionSpecs>(specs: S, argv: readonly string[]): ParsedOptions<S> {
  const byFlag = new Map<string, [keyof S, OptionSpec]>();
  for (const key of Object.keys(specs) as (keyof S)[]) byFlag.set(specs[key].flag, [key, specs[key]]);
  const values: Record<string, unknown> = {};
  for (const key of Object.keys(specs)) {
    const kind = specs[key].kind;
    values[key] = kind === "flag" ? false : kind === "list" ? [] : undefined;
  }
  const seen = new Set<string>();
  const positionals: string[] = [];

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const found = byFlag.get(flag);
    if (!found) throw usageError(`unknown option "${flag}"`);
    const [key, spec] = found;
    if (spec.kind !== "list" && seen.has(flag)) throw usageError(`${flag} given more than once`);
    seen.add(flag);
    if (spec.kind === "flag") {
      if (inline !== undefined) throw usageError(`${flag} takes no value, got "${arg}"`);
      values[key as string] = true;
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) throw usageError(`${flag} needs a value${placeholder(spec)}`);
      raw = next;
      i++;
    }
    if (spec.kind === "list") (values[key as string] as string[]).push(raw);
    else values[key as string] = convert(spec, raw);
  }
  return { values: values as OptionValues<S>, positionals };
}

function placeholder(spec: OptionSpec): string {
  return spec.placeholder ? ` ${spec.placeholder}` : "";
}

function convert(spec: Exclude<OptionSpec, FlagSpec | ListSpec>, raw: string): string | number {
  switch (spec.kind) {
    case "text":
      if (raw === "") throw usageError(`${spec.flag} needs a value${placeholder(spec)}, got ""`);
      return raw;
    case "choice":
      if (!spec.choices.includes(raw)) throw usageError(`${spec.flag}: expected one of ${spec.choices.join(", ")}, got "${raw}"`);
      return raw;
    case "whole": {
      const n = parseWholeNumber(raw);
      if (n === undefined || n < spec.min || n > spec.max) {
        throw usageError(`${spec.flag}: expected a whole number from ${spec.min} to ${spec.max}, got "${raw}"`);
      }
      return n;
    }
    case "seconds": {
      const n = parseSeconds(raw);
      const max = spec.max ?? Number.MAX_SAFE_INTEGER;
      if (n === undefined || !(n > 0) || n > max) {
        throw usageError(`${spec.flag}: expected a number of seconds > 0${spec.max ? ` and <= ${spec.max}` : ""}, got "${raw}"`);
      }
      return n;
    }
  }
}

/** The help lines of a command's options, aligned: `  --flag <value>   what it does`. */
export function optionsHelp(specs: OptionSpecs, width = 32): string {
  return Object.values(specs)
    .map((s) => {
      const head = `  ${s.flag}${s.placeholder ? ` ${s.placeholder}` : ""}`;
      const pad = head.length + 1 >= width ? `${head}\n${" ".repeat(width)}` : head.padEnd(width);
      return `${pad}${s.help.replace(/\n/g, `\n${" ".repeat(width)}`)}`;
    })
    .join("\n");
}
