// The one place configuration is read. Every setting is an environment variable, documented
// here and in the README; a wrong value stops start-up with one line naming the variable.
import { z } from "zod";

const port = z.coerce.number().int().min(0).max(65535);

const schema = z.object({
  /** HTTP port for the API and the pages. 0 picks a free port (tests use this). */
  PORT: port.default(8000),
  /** Interface to listen on. */
  HOST: z.string().min(1).default("0.0.0.0"),
  /** Where the embedded PostgreSQL keeps its data, and where generated images are stored. */
  DATA_DIR: z.string().min(1).default("./data"),
  /** An external PostgreSQL (15 or newer). When unset, an embedded PostgreSQL is started. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** Port of the embedded PostgreSQL (ignored with DATABASE_URL). */
  EMBEDDED_PG_PORT: port.default(54329),
  /** HTTP server threads, each with the whole app on the same port (SO_REUSEPORT) and a pool of
   *  its own: JavaScript runs on one core per thread. Defaults to the machine's cores but one,
   *  which PostgreSQL and the rest need: on the 2-core bench machine one thread beats two. */
  SERVER_THREADS: z.coerce.number().int().min(1).max(64).default(
    Math.max(1, (navigator.hardwareConcurrency ?? 1) - 1),
  ),
  /** Connections each server thread keeps to PostgreSQL. Few is faster (measured by `deno task bench`):
   *  a call holds one only for its short transactions, never while the upstream works. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(8),
  /** The address customers reach us at; signed image URLs are built on it. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Longest an upstream call may hold money; a hold left by a crash is released after it. */
  HOLD_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(3600).default(300),
  /** How long a stream whose client left is still read for the usage it is billed on (at most
   *  until the hold's deadline). */
  STREAM_DRAIN_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** How often the in-server sweeper releases expired holds. */
  SWEEP_INTERVAL_SECONDS: z.coerce.number().min(0.1).max(3600).default(5),
  /** The demo: the demo login (made on start, with its balance) and the built-in demo channel,
   *  which paints offline for models with no real channel. On by default with the embedded
   *  database, off with DATABASE_URL. */
  DEMO: z.enum(["on", "off"]).optional(),
  /** Balance given to the demo login when it is first created, in USD. */
  DEMO_BALANCE_USD: z.string().regex(/^\d{1,9}(\.\d{1,6})?$/, "a USD amount like 25 or 12.50")
    .default("25"),
  /** Key that signs image URLs. Generated and kept under DATA_DIR when unset. */
  URL_SIGNING_SECRET: z.string().min(32, "at least 32 characters").optional(),
  /** "on" when a reverse proxy of yours is in front and appends each client's address to
   *  X-Forwarded-For: attempt limits (logins) then count the address it saw. Off, the header is
   *  ignored, since any client can write it. */
  TRUST_PROXY: z.enum(["on", "off"]).default("off"),
  /** How long the built-in demo upstream takes to "paint", so it feels like a real one. */
  DEMO_UPSTREAM_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(700),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

/** Reads and validates the environment; throws ConfigError with one line per bad variable. */
export function loadConfig(env: Record<string, string | undefined> = Deno.env.toObject()): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([name, value]) => name in schema.shape && value !== ""),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) =>
      `invalid configuration: ${issue.path.join(".")}=${
        JSON.stringify(present[String(issue.path[0])])
      }: ${issue.message}`
    );
    throw new ConfigError(lines.join("\n"));
  }
  return parsed.data;
}

/** For entry points: the configuration, or its error lines on stderr and exit code 2. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    exitOnConfigError(error);
  }
}

/** Whether the demo is on for this configuration, and what says so (for the start-up line and
 *  channel:list). */
export function demoSetting(config: Config): { on: boolean; because: string } {
  if (config.DEMO) return { on: config.DEMO === "on", because: `DEMO=${config.DEMO}` };
  return config.DATABASE_URL
    ? { on: false, because: "DATABASE_URL without DEMO=on" }
    : { on: true, because: "the embedded database" };
}

/**
 * For entry points: what `start` makes, or, when it throws a ConfigError (a setting that cannot
 * work here, such as a port in use), its line on stderr and exit code 2, after `cleanup`.
 */
export async function orExitOnConfigError<T>(
  start: () => Promise<T>,
  cleanup: () => Promise<void> = async () => {},
): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if (error instanceof ConfigError) await cleanup();
    exitOnConfigError(error);
  }
}

function exitOnConfigError(error: unknown): never {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  Deno.exit(2);
}

export function demoEnabled(config: Config): boolean {
  return demoSetting(config).on;
}

export function publicUrl(config: Config): string {
  return (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, "");
}
