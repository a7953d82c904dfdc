/**
 * A root hook plugin (loaded by .mocharc.js): with TEST_FILE_TIMES naming a file, each test file's wall time,
 * hooks included, is appended to it as `<ms> <file>`. In parallel mode root hooks run once per test file.
 * test/run-suite.ts prints the slowest files from it, to keep its longest-first order honest.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Context } from "mocha";

const REPO = path.join(__dirname, "..");
let started = 0;

export const mochaHooks = {
  beforeAll(): void {
    started = Date.now();
  },
  afterAll(this: Context): void {
    const record = process.env.TEST_FILE_TIMES;
    const file = this.test?.parent?.suites.find((s) => s.file)?.file;
    if (!record || !file) return;
    fs.appendFileSync(record, `${Date.now() - started} ${path.relative(REPO, file)}\n`);
  },
};
