// Child processes of the bench: each one is spawned here, its output kept (the last 64 KiB) for
// error messages, and every one still running is stopped by stopAll() at the end or on Ctrl-C.
export const root = new URL("../../", import.meta.url);
/** Where the bench's own npm tools are installed (see scripts/bench.ts). */
export const TOOLS = new URL("tools/node_modules/", import.meta.url).pathname;

/** Installs the tools (quiet once they are there); their output is shown only if it fails. */
export async function installTools(): Promise<void> {
  const config = new URL("tools/deno.json", import.meta.url).pathname;
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["install", "--config", config],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    const decoder = new TextDecoder();
    throw new Error(
      `installing the bench's tools failed:\n${decoder.decode(result.stdout)}${
        decoder.decode(result.stderr)
      }`,
    );
  }
}

const running = new Set<Child>();

export class Child {
  readonly process: Deno.ChildProcess;
  private text = "";
  private exited = false;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    env: Record<string, string> = {},
  ) {
    this.process = new Deno.Command(command, {
      args,
      cwd: root,
      env: { NO_COLOR: "1", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    running.add(this);
    this.process.status.then(() => {
      this.exited = true;
      running.delete(this);
    });
    this.pump(this.process.stdout);
    this.pump(this.process.stderr);
  }

  get pid(): number {
    return this.process.pid;
  }

  output(): string {
    return this.text;
  }

  /** Waits for a line matching `pattern` in the output; fails if the process ends first. */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const match = pattern.exec(this.text);
      if (match) return match;
      if (this.exited) throw new Error(`${this.name} exited before ${pattern}:\n${this.text}`);
      if (Date.now() > deadline) {
        throw new Error(`${this.name}: no ${pattern} in time:\n${this.text}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has ended. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.exited) return;
    try {
      this.process.kill("SIGTERM");
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        this.process.kill("SIGKILL");
      } catch { /* already gone */ }
    }, graceMs);
    await this.process.status;
    clearTimeout(timer);
  }

  private pump(stream: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    stream.pipeTo(
      new WritableStream({
        write: (chunk) => {
          this.text = (this.text + decoder.decode(chunk, { stream: true })).slice(-65_536);
        },
      }),
    ).catch(() => {});
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/** A port that was free a moment ago (for programs that cannot take port 0). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
