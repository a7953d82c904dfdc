// The function's deployment package: the serialized handler plus the runtime dependencies, nothing else.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { REPO } from "./harness";
import { the } from "./setup";
import { T } from "./resource-types";

function* files(entry: string): Generator<string> {
  const stat = fs.statSync(entry);
  if (stat.isDirectory()) {
    for (const child of fs.readdirSync(entry)) yield* files(path.join(entry, child));
  } else {
    yield entry;
  }
}

describe("the deployment package", function () {
  this.timeout(60_000);
  let entries: Record<string, { text?: Promise<string>; path?: Promise<string> }>;

  before(async () => {
    entries = await (await the(T.fn, "sync")).inputs.code.assets;
  });

  it("holds __index.js and node_modules of runtime dependencies only", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
    const names = Object.keys(entries);
    assert.ok(names.includes("__index.js"));
    const modules = names.filter((n) => n !== "__index.js").map((n) => n.replace(/^node_modules\//, ""));
    assert.ok(names.filter((n) => n !== "__index.js").every((n) => n.startsWith("node_modules/")));
    for (const dev of Object.keys(pkg.devDependencies)) assert.ok(!modules.includes(dev), `${dev} is a devDependency`);
    assert.deepEqual(modules.filter((m) => m.startsWith("@pulumi/") || m === "typescript"), []);
    for (const dep of ["@aws-sdk/client-rds", "@aws-sdk/client-s3", "@aws-sdk/lib-storage", "@smithy/signature-v4"]) {
      assert.ok(modules.includes(dep), `${dep} is missing`);
    }
  });

  it("stays well inside Lambda's limits (50 MB zipped, 250 MB unpacked)", async () => {
    let unpacked = 0;
    let zipped = 0;
    const index = Buffer.from(await entries["__index.js"].text!);
    unpacked += index.length;
    zipped += zlib.deflateRawSync(index).length;
    for (const [name, asset] of Object.entries(entries)) {
      if (name === "__index.js") continue;
      for (const file of files(path.resolve(REPO, await asset.path!))) {
        const bytes = fs.readFileSync(file);
        unpacked += bytes.length;
        zipped += zlib.deflateRawSync(bytes, { level: 6 }).length;
      }
    }
    // Measured when written: 4.7 MB as a zip file, 14 MB unpacked (docs/development.md, "The deployment package").
    assert.ok(zipped < 10 * 1024 * 1024, `about ${(zipped / 1048576).toFixed(1)} MB zipped`);
    assert.ok(unpacked < 60 * 1024 * 1024, `${(unpacked / 1048576).toFixed(1)} MB unpacked`);
  });
});

describe("the events and subscription functions' packages", function () {
  this.timeout(60_000);

  const modulesOf = async (name: string) =>
    Object.keys(await (await the(T.fn, name)).inputs.code.assets)
      .filter((n) => n !== "__index.js")
      .map((n) => n.replace(/^node_modules\//, ""));

  it("the events function ships the same runtime packages as the sync function", async () => {
    assert.deepEqual((await modulesOf("events")).sort(), (await modulesOf("sync")).sort());
  });

  it("the subscription function ships the S3 client and what it needs, without the RDS client or lib-storage", async () => {
    const modules = await modulesOf("logs");
    for (const dep of ["@aws-sdk/client-s3", "@smithy/signature-v4"]) assert.ok(modules.includes(dep), `${dep} is missing`);
    for (const dep of ["@aws-sdk/client-rds", "@aws-sdk/middleware-sdk-rds", "@aws-sdk/lib-storage"]) assert.ok(!modules.includes(dep), `${dep} is shipped`);
  });
});
