import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { create } from "ts-node";
import { cacheTranspiles, TRANSPILE_CACHE_VARIABLE, type TranspilingService } from "./transpile-cache";

const REPO = path.join(__dirname, "..");
const run = promisify(execFile);

describe("the test processes' transpile cache", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "transpile-cache-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const service = () => create({ transpileOnly: true, project: path.join(REPO, "tsconfig.json") }) as unknown as TranspilingService;
  const source = (n: number) => `export const answer: number = ${n};\nexport function twice(x: number): number {\n  return x * 2;\n}\n`;
  const file = path.join(REPO, "archiver", "an-example.ts");

  it("gives another process exactly ts-node's output, and transpiles a changed source again", () => {
    const plain = service().compile(source(1), file);
    const a = service();
    const aCache = cacheTranspiles(a, dir);
    assert.equal(a.compile(source(1), file), plain);
    assert.deepEqual(aCache.counts, { transpiled: 1, cached: 0 });

    const b = service();
    const bCache = cacheTranspiles(b, dir);
    assert.equal(b.compile(source(1), file), plain);
    assert.deepEqual(bCache.counts, { transpiled: 0, cached: 1 });
    assert.equal(bCache.servedFor(file), plain);

    assert.equal(b.compile(source(2), file), service().compile(source(2), file));
    assert.equal(b.compile(source(1), path.join(REPO, "archiver", "another-name.ts")), service().compile(source(1), path.join(REPO, "archiver", "another-name.ts")));
    assert.deepEqual(bCache.counts, { transpiled: 2, cached: 1 });
  });

  it("a module served from the cache still has stack traces that name its TypeScript lines", async () => {
    const script = path.join(dir, "thrower.ts");
    fs.writeFileSync(script, `const label: string = "x";\ninterface Unused { a: number }\nthrow new Error(\`thrown at line 3 \${label}\`);\n`);
    const cacheDir = path.join(dir, "cache");
    const env = { ...process.env, [TRANSPILE_CACHE_VARIABLE]: cacheDir, TS_NODE_PROJECT: path.join(REPO, "tsconfig.json") };
    const load = () =>
      run(process.execPath, ["-r", "ts-node/register/transpile-only", "-r", path.join(REPO, "test/transpile-cache.ts"), script], { cwd: REPO, env }).then(
        () => assert.fail("the script did not throw"),
        (err: { stdout: string; stderr: string }) => err,
      );

    const transpiled = await load();
    assert.match(transpiled.stderr, /thrower\.ts:3\b/);
    const entries = fs.readdirSync(cacheDir);
    assert.equal(entries.length, 1, `one entry for the script: ${entries.join(", ")}`);
    // Marked on its first line, so that the second run proves it read the entry; line 3 maps as before.
    const entry = path.join(cacheDir, entries[0]);
    fs.writeFileSync(entry, `console.log("served from the cache");${fs.readFileSync(entry, "utf8")}`);

    const cached = await load();
    assert.match(cached.stdout, /served from the cache/);
    assert.match(cached.stderr, /thrower\.ts:3\b/);
  });

  it("a cache directory that cannot be made still transpiles, as ts-node does", () => {
    const blocked = path.join(dir, "a-file");
    fs.writeFileSync(blocked, "");
    const s = service();
    const cache = cacheTranspiles(s, path.join(blocked, "cache"));
    assert.equal(s.compile(source(1), file), service().compile(source(1), file));
    assert.equal(s.compile(source(1), file), service().compile(source(1), file));
    assert.deepEqual(cache.counts, { transpiled: 2, cached: 0 });
  });
});
