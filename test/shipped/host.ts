/**
 * Runs a shipped function's serialized handler in its own Node process, like a warm Lambda container: the package
 * is loaded once (host-process.js), then invoked any number of times, one invocation at a time. A host can be
 * killed mid-invocation; a new one is a cold start. Two hosts are two concurrent containers.
 */
import { fork, type ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import * as path from "node:path";
import type { VirtualClockFile } from "./clock";
import type { ShippedFunction } from "./packages";

const HOST_PROCESS = path.join(__dirname, "host-process.js");

export interface InvokeOptions {
  /** What context.getRemainingTimeInMillis() starts from, counted down in real time (default 900 s). */
  remainingMs?: number;
  requestId?: string;
}

export interface HandlerError {
  name: string;
  message: string;
  stack?: string;
}

/** One invocation: the handler's result or the error it threw, and the lines it wrote to stdout. */
export interface Invocation<T> {
  result?: T;
  error?: HandlerError;
  logs: string[];
}

/** The host process ended (killed, or crashed) before the invocation returned. */
export class HostExited extends Error {
  constructor(readonly fn: string, readonly signal: NodeJS.Signals | null, readonly exitCode: number | null) {
    super(`the ${fn} host exited (${signal ?? `code ${exitCode}`}) before the invocation returned`);
    this.name = "HostExited";
  }
}

type Message =
  | { type: "ready" }
  | { type: "load-error"; error: HandlerError }
  | ({ type: "result"; id: number } & Invocation<unknown>);

export class FunctionHost {
  private nextId = 0;
  private pending?: { id: number; resolve: (i: Invocation<unknown>) => void; reject: (e: Error) => void };
  private readonly exited: Promise<void>;
  private stderr = "";

  private constructor(readonly fn: ShippedFunction, private readonly child: ChildProcess) {
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-20_000);
    });
    child.on("message", (message: Message) => {
      if (message.type !== "result" || message.id !== this.pending?.id) return;
      const { resolve } = this.pending;
      this.pending = undefined;
      this.holdParent(false);
      resolve({ result: message.result, error: message.error, logs: message.logs });
    });
    this.exited = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        this.pending?.reject(new HostExited(fn.name, signal, code));
        this.pending = undefined;
        resolve();
      }),
    );
  }

  /**
   * Starts a host with exactly `env` as its environment (nothing inherited). With `clock`, the handler's
   * Date.now() is that virtual clock, while requests are signed at real time.
   */
  static start(fn: ShippedFunction, o: { env: NodeJS.ProcessEnv; clock?: VirtualClockFile }): Promise<FunctionHost> {
    const child = fork(HOST_PROCESS, [fn.dir, ...(o.clock ? [o.clock.path] : [])], {
      cwd: fn.dir,
      env: o.env,
      execArgv: [],
      // stdout comes back per invocation over IPC (host-process.js captures it), as Lambda's logs would.
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    const host = new FunctionHost(fn, child);
    return new Promise((resolve, reject) => {
      const onExit = () => reject(new Error(`the ${fn.name} host exited while loading ${fn.file}:\n${host.stderr}`));
      child.once("exit", onExit);
      child.once("message", (message: Message) => {
        child.off("exit", onExit);
        if (message.type === "ready") {
          host.holdParent(false);
          resolve(host);
        }
        else if (message.type === "load-error") reject(new Error(`${fn.file} did not load: ${message.error.stack ?? message.error.message}`));
      });
    });
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The process's stderr so far (its last 20 kB), for failure messages. */
  get errors(): string {
    return this.stderr;
  }

  /** Invokes the handler as Lambda does, (event, context); rejects with HostExited if the process dies first. */
  invoke<T>(event: unknown, o: InvokeOptions = {}): Promise<Invocation<T>> {
    if (this.pending) throw new Error(`the ${this.fn.name} host is busy: one invocation at a time`);
    if (!this.alive) return Promise.reject(new HostExited(this.fn.name, this.child.signalCode, this.child.exitCode));
    const id = ++this.nextId;
    return new Promise<Invocation<T>>((resolve, reject) => {
      this.pending = { id, resolve: resolve as (i: Invocation<unknown>) => void, reject };
      this.holdParent(true);
      this.child.send({ type: "invoke", id, event, remainingMs: o.remainingMs ?? 900_000, requestId: o.requestId ?? `invocation-${id}` });
    });
  }

  /** Sets the running invocation's context.getRemainingTimeInMillis() to `ms` from now; nothing when idle. */
  setRemainingTime(ms: number): void {
    if (this.pending && this.alive) this.child.send({ type: "remaining", remainingMs: ms });
  }

  /** Invokes and returns the handler's result; a thrown error is rethrown here with its name and message. */
  async call<T>(event: unknown, o?: InvokeOptions): Promise<T> {
    return FunctionHost.unwrap(await this.invoke<T>(event, o));
  }

  static unwrap<T>(invocation: Invocation<T>): T {
    const e = invocation.error;
    if (e) throw Object.assign(new Error(e.message), { name: e.name, stack: e.stack ?? `${e.name}: ${e.message}` });
    return invocation.result as T;
  }

  /**
   * An idle host does not keep the test process alive: a test that forgets to stop one must not hang mocha
   * (the host exits when its parent does, host-process.js).
   */
  private holdParent(hold: boolean): void {
    const handles: { ref(): unknown; unref(): unknown }[] = [this.child];
    if (this.child.channel) handles.push(this.child.channel);
    if (this.child.stderr) handles.push(this.child.stderr as Socket);
    for (const handle of handles) {
      if (hold) handle.ref();
      else handle.unref();
    }
  }

  /** Kills the process (as Lambda does at a timeout, or as a crash would) and waits until it is gone. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    this.child.kill(signal);
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.alive) this.child.kill("SIGTERM");
    await this.exited;
  }
}
