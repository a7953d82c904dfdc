/**
 * The source side of the guard: no module of archiver/ that a Lambda can reach (everything but archiver/cli/) makes an
 * object with `new` at module scope or declares a class extending a built-in. The serialized-code guard sees only what
 * today's handlers reach; this one also covers a module before a handler starts using it.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ARCHIVER = path.resolve(__dirname, "../../archiver");
const NOT_SHIPPED = [path.join(ARCHIVER, "cli")];
const BUILT_INS = new Set(["Error", "TypeError", "RangeError", "Set", "Map", "WeakMap", "WeakSet", "Date", "Array", "Promise", "RegExp", "URL", "EventEmitter"]);

/** `file:line: what` for every module-scope `new` and every class extending a built-in. */
function moduleScopeFindings(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const findings: string[] = [];
  const at = (node: ts.Node) => `${path.basename(fileName)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node, inFunction: boolean): void => {
    if (ts.isClassLike(node)) {
      for (const clause of node.heritageClauses ?? []) {
        for (const type of clause.types) {
          if (clause.token === ts.SyntaxKind.ExtendsKeyword && BUILT_INS.has(type.expression.getText(source))) {
            findings.push(`${at(node)}: class extending ${type.expression.getText(source)}`);
          }
        }
      }
    }
    if (!inFunction && ts.isNewExpression(node)) findings.push(`${at(node)}: module-scope ${node.getText(source).slice(0, 60)}`);
    const entersFunction = inFunction || ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node);
    ts.forEachChild(node, (child) => visit(child, entersFunction));
  };
  visit(source, false);
  return findings;
}

function shippedSources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return NOT_SHIPPED.includes(full) ? [] : shippedSources(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

describe("archiver/ keeps no object made at module scope", () => {
  it("the check finds a module-level Set, Map, Date or class instance, and a class extending Error", () => {
    const findings = moduleScopeFindings(
      "sample.ts",
      [
        "const CODES = new Set(['a']);",
        "export const CACHE = { byId: new Map() };",
        "const EPOCH = new Date(0), COUNTER = new Counter();",
        "class Failure extends Error {}",
        "function fresh() { return new Set(); }",
        "const make = () => new Map();",
        "class Counter { n = 0; next() { return new Date(); } }",
        "const NAMES = ['a']; const PATTERN = /^a/;",
      ].join("\n"),
    );
    assert.deepEqual(findings.map((f) => f.split(":")[1] + ":" + f.split(":")[2]), [
      "1: module-scope new Set(['a'])",
      "2: module-scope new Map()",
      "3: module-scope new Date(0)",
      "3: module-scope new Counter()",
      "4: class extending Error",
    ]);
  });

  it("no shipped module of archiver/ has one", () => {
    const sources = shippedSources(ARCHIVER);
    assert.ok(sources.length > 20, `${sources.length} sources`);
    const findings = sources.flatMap((file) => moduleScopeFindings(file, fs.readFileSync(file, "utf8")));
    assert.deepEqual(findings, [], "use arrays, plain objects and plain Errors with fields (docs/development.md: Serializer pitfalls)");
  });
});
