// Runs the real server and admin tasks as child processes, as an operator would.
const root = new URL("../../", import.meta.url);

export interface ServerProcess {
  url: string;
  child: Deno.ChildProcess;
  output(): string;
  /** Sends a signal and waits for the process to end; returns its exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/** How to start it, when not as this process does: e.g. another checkout, as another user. */
export interface Launch {
  /** The checkout to run main.ts in (this one by default). */
  cwd?: string;
  /** The command that runs `deno` as someone else, e.g. ["setpriv", "--reuid=…", …]. */
  runAs?: string[];
  /** The deno binary (this process's by default). */
  deno?: string;
  /** Nothing of this process's environment, only `env`. */
  clearEnv?: boolean;
}

export async function startServer(
  env: Record<string, string>,
  launch: Launch = {},
): Promise<ServerProcess> {
  const [command, ...args] = denoCommand(launch, ["run", "-A", "main.ts"]);
  const child = new Deno.Command(command, {
    args,
    cwd: launch.cwd ?? root,
    clearEnv: launch.clearEnv,
    env: { PORT: "0", HOST: "127.0.0.1", DEMO: "off", NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const decoder = new TextDecoder();
  const pump = (stream: ReadableStream<Uint8Array>) =>
    stream.pipeTo(new WritableStream({ write: (chunk) => void (output += decoder.decode(chunk)) }));
  pump(child.stdout).catch(() => {});
  pump(child.stderr).catch(() => {});
  const status = child.status;
  let exited = false;
  status.then(() => (exited = true));
  const deadline = Date.now() + 60_000;
  while (!/listening on (http:\/\/\S+)/.test(output)) {
    if (exited) throw new Error(`server exited before listening:\n${output}`);
    if (Date.now() > deadline) throw new Error(`server did not start in time:\n${output}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const url = /listening on (http:\/\/\S+)/.exec(output)![1];
  return {
    url,
    child,
    output: () => output,
    async stop(signal: Deno.Signal = "SIGTERM") {
      if (!exited) child.kill(signal);
      return (await status).code;
    },
  };
}

export interface TaskResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a script under scripts/ (e.g. "admin.ts", ["balance", "--email", e]) to its end. */
export function runScript(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<TaskResult> {
  return runDeno(["run", "-A", `scripts/${script}`, ...args], env);
}

/** Runs main.ts expecting it to stop by itself (a bad configuration). */
export function runServerExpectingFailure(env: Record<string, string>): Promise<TaskResult> {
  return runDeno(["run", "-A", "main.ts"], env);
}

/** `deno <args>` to its end, as `launch` says (this checkout, this process by default). */
export async function runDeno(
  args: string[],
  env: Record<string, string>,
  launch: Launch = {},
): Promise<TaskResult> {
  const [command, ...commandArgs] = denoCommand(launch, args);
  const result = await new Deno.Command(command, {
    args: commandArgs,
    cwd: launch.cwd ?? root,
    clearEnv: launch.clearEnv,
    env: { NO_COLOR: "1", ...env },
    signal: AbortSignal.timeout(60_000),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: result.code,
    stdout: decoder.decode(result.stdout),
    stderr: decoder.decode(result.stderr),
  };
}

function denoCommand(launch: Launch, args: string[]): string[] {
  return [...(launch.runAs ?? []), launch.deno ?? Deno.execPath(), ...args];
}

/** A port nothing listens on now, picked by the system (a fixed one may be another connection's
 *  local port at that moment). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}
