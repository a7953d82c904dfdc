// Test files run in parallel worker processes, one per core (at least two: most tests wait on sockets and
// child processes, so two workers help even on one core). Each worker loads ts-node, its cache (test/transpile-cache.ts) and test/setup-env.ts.
const os = require("node:os");

module.exports = {
  require: ["ts-node/register/transpile-only", "test/transpile-cache.ts", "test/setup-env.ts", "test/file-times.ts"],
  extension: ["ts"],
  "node-option": ["openssl-legacy-provider"],
  timeout: 60000,
  reporter: "spec",
  parallel: true,
  jobs: Math.max(2, os.availableParallelism()),
};
