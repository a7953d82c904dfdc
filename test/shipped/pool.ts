/**
 * Containers for one function and one environment, as Lambda keeps them: an invocation reuses an idle host (warm),
 * or starts a new one when every host is busy (a concurrent invocation gets its own container). A host that died
 * (killed mid-invocation) is dropped; the next invocation finds another or cold-starts one.
 */
import type { VirtualClockFile } from "./clock";
import { FunctionHost, type InvokeOptions, type Invocation } from "./host";
import { shipped, type FunctionName } from "./packages";
import type { ProgramSpec } from "../program/load-program";

export class HostPool {
  private readonly idle: FunctionHost[] = [];
  private readonly all = new Set<FunctionHost>();
  private stopped = false;

  constructor(
    readonly fn: FunctionName,
    /** `spec`: the stack whose package runs (default: every option on, test/shipped/packages.ts). */
    private readonly o: { env: NodeJS.ProcessEnv; clock?: VirtualClockFile; spec?: Omit<ProgramSpec, "unpackFunctionsTo"> },
  ) {}

  /** Hosts started so far and still alive or busy. */
  get hosts(): FunctionHost[] {
    return [...this.all];
  }

  async invoke<T>(event: unknown, options?: InvokeOptions): Promise<Invocation<T>> {
    const host = this.idle.pop() ?? (await this.startHost());
    try {
      return await host.invoke<T>(event, options);
    } finally {
      if (host.alive && !this.stopped) this.idle.push(host);
      else this.all.delete(host);
    }
  }

  /** The handler's result; an error it threw is rethrown with its name and message. */
  async call<T>(event: unknown, options?: InvokeOptions): Promise<T> {
    return FunctionHost.unwrap(await this.invoke<T>(event, options));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.all].map((h) => h.stop()));
    this.all.clear();
    this.idle.length = 0;
  }

  private async startHost(): Promise<FunctionHost> {
    if (this.stopped) throw new Error(`the ${this.fn} hosts were stopped`);
    const host = await FunctionHost.start(await shipped(this.fn, this.o.spec), this.o);
    this.all.add(host);
    return host;
  }
}
