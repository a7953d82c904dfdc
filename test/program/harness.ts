// Loads the program in a child process (load-program.ts) with any config, including the stack
// files exactly as committed. Used for every config other than setup.ts's shared one.
import { execFile } from "node:child_process";
import * as path from "node:path";
import type { ProgramResult, ProgramSpec } from "./load-program";
import { RESULT_MARKER } from "./load-program";

import { REPO } from "../infra/stack-files";

export { REPO, projectDefaults, stackFileConfig } from "../infra/stack-files";

export interface LoadResult extends ProgramResult {
  /** The child's stderr, for failure messages. */
  stderr: string;
}

/** `cwd`: the program's own directory, where Pulumi finds the package.json its functions' dependencies come from. */
export function loadProgram(spec: ProgramSpec, { cwd = REPO }: { cwd?: string } = {}): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "-r", path.join(REPO, "test/transpile-cache.ts"), "-r", path.join(REPO, "test/setup-env.ts"), path.join(REPO, "test/program/load-program.ts")],
      {
        cwd,
        env: { ...process.env, PROGRAM_SPEC: JSON.stringify(spec), TS_NODE_PROJECT: path.join(REPO, "tsconfig.json") },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 90_000,
      },
      (error, stdout, stderr) => {
        const line = stdout.split("\n").find((l) => l.startsWith(RESULT_MARKER));
        if (!line) {
          reject(new Error(`load-program printed no result (${error?.message ?? "no error"}):\n${stderr}`));
          return;
        }
        resolve({ ...(JSON.parse(line.slice(RESULT_MARKER.length)) as ProgramResult), stderr });
      },
    );
  });
}
