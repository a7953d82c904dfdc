/**
 * `npm run bench:docs`: rewrites the figures in docs/performance.md from bench/results/latest.json, without
 * running the bench. `npm run bench` does the same after a full run.
 */
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./lib/cli";
import { PERFORMANCE_DOC, renderFigures, withFigures } from "./lib/performance-doc";
import type { BenchResult } from "./lib/result";

export const LATEST_RESULTS = "bench/results/latest.json";

export function updatePerformanceDoc(result: BenchResult): void {
  const file = path.join(ROOT, PERFORMANCE_DOC);
  fs.writeFileSync(file, withFigures(fs.readFileSync(file, "utf8"), renderFigures(result)));
}

if (require.main === module) {
  const result: BenchResult = JSON.parse(fs.readFileSync(path.join(ROOT, LATEST_RESULTS), "utf8"));
  updatePerformanceDoc(result);
  process.stderr.write(`wrote the figures of ${PERFORMANCE_DOC} from ${LATEST_RESULTS}\n`);
}
