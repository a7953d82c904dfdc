/**
 * ts-node's output, cached on disk and shared by every process of a test run: mocha's workers and each program load
 * (test/program/harness.ts) would otherwise transpile the same hundred-odd files again, about 1.7 s of a 5 s load.
 * Loaded with `-r` right after ts-node/register/transpile-only. An entry is exactly the string ts-node returned for
 * the same source, file name, compiler options and versions, so a hit changes nothing a test can see: not the code
 * Pulumi serializes from a loaded module, and not a stack trace (the entry keeps ts-node's inline source map).
 * Entries live in node_modules/.cache, so a fresh clone starts empty. RDS_LOG_ARCHIVER_TRANSPILE_CACHE names
 * another directory, or is `off`.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export const TRANSPILE_CACHE_VARIABLE = "RDS_LOG_ARCHIVER_TRANSPILE_CACHE";
export const DEFAULT_CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "rds-log-archiver-transpiled");

/** The part of a ts-node service (ts-node's `register()` result) the cache uses. */
export interface TranspilingService {
  compile(code: string, fileName: string, lineOffset?: number): string;
  ts: { version: string };
  config: { options: object };
}

export interface TranspileCache {
  /** Transpiled by ts-node in this process (misses), and served from the cache (hits). */
  readonly counts: { transpiled: number; cached: number };
  /** The output served from the cache for a file, for source-map lookups. */
  servedFor(fileName: string): string | undefined;
}

/** Wraps `service.compile` so that each distinct input is transpiled once, by whichever process meets it first. */
export function cacheTranspiles(service: TranspilingService, dir = DEFAULT_CACHE_DIR): TranspileCache {
  const version = JSON.stringify([require("ts-node/package.json").version, service.ts.version, service.config.options]);
  const compile = service.compile.bind(service);
  const served = new Map<string, string>();
  const counts = { transpiled: 0, cached: 0 };
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch {
    // Unwritable: every entry is a miss, and each write is skipped.
  }

  service.compile = (code, fileName, lineOffset = 0) => {
    const key = createHash("sha256").update(version).update("\0").update(fileName).update(`\0${lineOffset}\0`).update(code).digest("hex");
    const entry = path.join(dir, key);
    const cached = readIfPresent(entry);
    if (cached !== undefined) {
      counts.cached++;
      served.set(fileName, cached);
      return cached;
    }
    const output = compile(code, fileName, lineOffset);
    counts.transpiled++;
    // Renamed into place: a process reading the entry sees all of it or none of it. A cache that cannot be written
    // (a full or read-only disk) only costs the next process the transpile.
    const writing = `${entry}.${process.pid}.writing`;
    try {
      fs.writeFileSync(writing, output);
      fs.renameSync(writing, entry);
    } catch {
      fs.rm(writing, { force: true }, () => undefined);
    }
    return output;
  };
  return { counts, servedFor: (fileName) => served.get(fileName) };
}

function readIfPresent(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * ts-node maps stack traces through the output it keeps in memory, which a hit bypasses; the source-map support it
 * installed also asks this handler, which returns a hit's output with its inline source map.
 */
function mapStackTracesOfHits(cache: TranspileCache): void {
  const sourceMapSupport = require(require.resolve("@cspotcode/source-map-support", { paths: [path.dirname(require.resolve("ts-node"))] }));
  sourceMapSupport.install({ retrieveFile: (file: string) => cache.servedFor(file.replace(/\\/g, "/")) ?? "" });
}

const registered = (process as unknown as Record<symbol, TranspilingService | undefined>)[Symbol.for("ts-node.register.instance")];
const setting = process.env[TRANSPILE_CACHE_VARIABLE];
if (registered && setting !== "off") mapStackTracesOfHits(cacheTranspiles(registered, setting || DEFAULT_CACHE_DIR));
