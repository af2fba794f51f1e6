// Fresh's file routes on Hono. A file under routes/ serves the path it names:
//   routes/index.tsx → /        routes/v1/models.ts → /v1/models     routes/v1/models/[id].ts → /v1/models/:id
// It exports `handler` ({ GET, POST, … } taking Hono's context) and/or a default page component,
// rendered on GET. routes/x/_middleware.ts runs before everything under /x. Files whose names
// start with "_" are not routes.
import type { Hono, MiddlewareHandler } from "hono";
import type { AppContext, AppEnv, Handlers } from "./context.ts";
import { renderPage } from "./render.tsx";
import type { ComponentType } from "preact";

interface RouteModule {
  handler?: Handlers;
  default?: ComponentType<{ c: AppContext }>;
}

export async function mountFileRoutes(app: Hono<AppEnv>, routesDir: URL): Promise<void> {
  const files = await listFiles(routesDir);
  const middlewares = files.filter((f) => /(^|\/)_middleware\.tsx?$/.test(f)).sort(byDepth);
  for (const file of middlewares) {
    const mod = await import(new URL(file, routesDir).href) as {
      middleware: MiddlewareHandler<AppEnv>;
    };
    const dir = file.replace(/_middleware\.tsx?$/, "");
    app.use(`/${dir}*`, mod.middleware);
  }
  const routes = files
    .filter((f) => /\.tsx?$/.test(f) && !f.split("/").some((part) => part.startsWith("_")))
    .map((file) => ({ file, path: pathOf(file) }))
    // Literal segments win over [params]: register them first.
    .sort((a, b) => paramCount(a.path) - paramCount(b.path) || a.path.localeCompare(b.path));
  for (const { file, path } of routes) {
    const mod = await import(new URL(file, routesDir).href) as RouteModule;
    for (const [method, handle] of Object.entries(mod.handler ?? {})) {
      app.on(method, path, (c) => handle(c));
    }
    if (mod.default && !mod.handler?.GET) {
      const Page = mod.default;
      app.get(path, (c) => renderPage(c, Page));
    }
  }
}

function pathOf(file: string): string {
  const path = file
    .replace(/\.tsx?$/, "")
    .replace(/(^|\/)index$/, "")
    .replace(/\[([a-zA-Z_]+)\]/g, ":$1");
  return `/${path}`;
}

const paramCount = (path: string) => (path.match(/:/g) ?? []).length;
const byDepth = (a: string, b: string) => a.split("/").length - b.split("/").length;

async function listFiles(dir: URL, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(new URL(prefix, dir))) {
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory) out.push(...await listFiles(dir, `${rel}/`));
    else out.push(rel);
  }
  return out;
}
