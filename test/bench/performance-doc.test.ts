import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { LATEST_RESULTS } from "../../bench/docs";
import { figuresIn, FIGURES_BEGIN, FIGURES_END, PERFORMANCE_DOC, renderFigures, withFigures } from "../../bench/lib/performance-doc";
import type { BenchResult } from "../../bench/lib/result";

const ROOT = path.resolve(__dirname, "../..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

describe("docs/performance.md", () => {
  const latest: BenchResult = JSON.parse(read(LATEST_RESULTS));

  it("shows exactly the figures the committed bench results render (run `npm run bench:docs` after changing either)", () => {
    assert.equal(figuresIn(read(PERFORMANCE_DOC)), renderFigures(latest));
  });

  it("renders every measured figure the README used to quote by hand", () => {
    const figures = renderFigures(latest);
    for (const value of [latest.throughput?.endToEndMBps, latest.memory?.idle.medianPeakRssMB, latest.fleet?.steady.s3RequestsPerInstance, latest.cost?.archiverDollarsFirstMonth.toFixed(2)]) {
      assert.ok(value !== undefined && figures.includes(String(value)), `${value} missing from the rendered figures`);
    }
  });

  it("replaces only the figures and keeps the prose around them", () => {
    const doc = `intro\n${FIGURES_BEGIN}\nold figures\n${FIGURES_END}\noutro\n`;
    const updated = withFigures(doc, "new figures");
    assert.equal(figuresIn(updated), "new figures");
    assert.ok(updated.startsWith("intro\n") && updated.endsWith(`${FIGURES_END}\noutro\n`));
    assert.equal(withFigures(updated, "new figures"), updated);
  });

  it("names the document when its markers are missing", () => {
    assert.throws(() => withFigures("no markers here", "x"), /docs\/performance\.md: the figures markers/);
  });
});
