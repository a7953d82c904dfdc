// A warm Lambda container for one unpacked deployment package: requires `<package>/__index.js` once, then runs one
// invocation at a time for the parent (test/shipped/host.ts) over IPC, with a Lambda-like context.
//
// Plain JavaScript on purpose: no ts-node or other require hook runs in this process, so the handler loads exactly
// as Lambda would load it, and resolves its modules from the package's own node_modules only.
//
// argv: <package dir> [<virtual clock file>]. With a clock file, Date.now() returns the simulation's virtual time,
// read from the file on every call (the parent rewrites it whenever its clock moves, even mid-invocation), while
// every request is still signed at real time: the fakes check signatures against the real clock, as AWS would.
"use strict";
const fs = require("fs");
const path = require("path");

const [packageDir, clockFile] = process.argv.slice(2);
const realNow = Date.now.bind(Date);

if (clockFile) {
  const fd = fs.openSync(clockFile, "r");
  const buffer = Buffer.alloc(32);
  Date.now = function now() {
    const t = Number(buffer.toString("utf8", 0, fs.readSync(fd, buffer, 0, buffer.length, 0)).trim());
    if (!Number.isFinite(t)) throw new Error(`virtual clock file ${clockFile} holds no time`);
    return t;
  };
  signRequestsAtRealTime();
}

/**
 * The SDK signs at Date.now() + config.systemClockOffset and learns that offset from servers' Date headers; the REST
 * log download signs at Date.now() + the RDS client's offset. Under a virtual clock, every client therefore signs at
 * `new Date()` (real time: only Date.now is virtual) with the SDK's skew sampling off (it would take the virtual
 * clock for a skewed one and mark errors retryable), and its offset reads as real minus virtual time, so the
 * download is signed at real time too. The Client class patched is the one in the package's own node_modules:
 * the same module instance the serialized handler requires.
 */
function signRequestsAtRealTime() {
  const patched = [];
  for (const id of ["@smithy/core/client", "@smithy/smithy-client"]) {
    let file;
    try {
      file = require.resolve(id, { paths: [packageDir] });
    } catch {
      continue;
    }
    const { Client } = require(file);
    if (!Client || typeof Client.prototype.send !== "function") continue;
    const send = Client.prototype.send;
    Client.prototype.send = function sendAtRealTime(...args) {
      followRealTime(this.config);
      return send.apply(this, args);
    };
    patched.push(file);
  }
  if (patched.length === 0) throw new Error(`no SDK Client class under ${packageDir}: update test/shipped/host-process.js`);
}

const following = new WeakSet();
function followRealTime(config) {
  if (following.has(config)) return;
  following.add(config);
  config.disableClockSkewCorrection = () => true;
  Object.defineProperty(config, "systemClockOffset", {
    configurable: true,
    enumerable: true,
    get: () => realNow() - Date.now(),
    set: () => undefined,
  });
}

// Lambda captures what a handler writes to stdout; so does the host, per invocation.
let captured;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  if (captured) captured.push(String(chunk));
  return write(chunk, ...rest);
};

function describeError(err) {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: typeof err, message: String(err) };
}

let handler;
try {
  ({ handler } = require(path.join(packageDir, "__index.js")));
  if (typeof handler !== "function") throw new Error(`${packageDir}/__index.js exports no handler`);
} catch (err) {
  process.send({ type: "load-error", error: describeError(err) });
  process.disconnect();
  process.exitCode = 1;
  return;
}

// The parent (a test run) is gone: so is this container.
process.on("disconnect", () => process.exit(0));

let busy = false;
let deadline = 0;
process.on("message", async (message) => {
  // The parent moves the invocation's deadline, as if time passed faster (a test's stall that would otherwise wait out the clock).
  if (message.type === "remaining") {
    if (busy) deadline = realNow() + message.remainingMs;
    return;
  }
  if (message.type !== "invoke") return;
  if (busy) {
    process.send({ type: "result", id: message.id, error: { name: "HostBusy", message: "one invocation at a time" }, logs: [] });
    return;
  }
  busy = true;
  captured = [];
  deadline = realNow() + message.remainingMs;
  const context = {
    awsRequestId: message.requestId,
    functionName: path.basename(packageDir),
    getRemainingTimeInMillis: () => Math.max(0, deadline - realNow()),
  };
  let outcome;
  try {
    outcome = { result: await handler(message.event, context) };
  } catch (err) {
    outcome = { error: describeError(err) };
  }
  const logs = captured.join("").split("\n").filter((line) => line.length > 0);
  captured = undefined;
  busy = false;
  process.send({ type: "result", id: message.id, ...outcome, logs });
});
process.send({ type: "ready" });
