#!/usr/bin/env node
// Runs the compiled CLI (npm ci builds it through the prepare script); falls back to the TypeScript sources.
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const compiled = path.join(root, "out", "archiver", "cli", "main.js");
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
let cli;
if (fs.existsSync(compiled)) {
  cli = require(compiled);
} else {
  require("ts-node").register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
  cli = require(path.join(root, "archiver", "cli", "main.ts"));
}
// Exit only once stdout and stderr are flushed: process.exit() right away cuts a report written to a pipe.
function exitAfterFlush(code) {
  process.exitCode = code;
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}
cli.main(process.argv.slice(2)).then(exitAfterFlush, (err) => {
  console.error(`rds-log-archiver: ${err && err.stack ? err.stack : err}`);
  exitAfterFlush(1);
});
