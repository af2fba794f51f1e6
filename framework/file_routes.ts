// Fresh's file routes on Hono. A file under routes/ serves the path it names:
//   routes/index.tsx → /        routes/v1/models.ts → /v1/models     routes/v1/models/[id].ts → /v1/models/:id
// It exports `handler` ({ GET, POST, … } taking Hono's context) and/or a default page component,
// rendered on GET. Files whose names start with "_" are not routes:
//   _middleware.ts  runs before every route in its folder and below. In a plain folder it runs for
//                   every URL under the folder's path (404s under /v1 are authenticated too).
//   _layout.tsx     wraps every page rendered in its folder and below (the outer folder's layout
//                   outermost): its default export gets { c, children } and may be async.
// A folder named in parentheses, e.g. routes/(dashboard)/, is a route group, as in Fresh: it adds
// nothing to the URL (routes/(dashboard)/images.tsx → /images) and only gathers routes under one
// layout and middleware, which then run for the group's routes alone.
import type { Hono, MiddlewareHandler } from "hono";
import type { AppEnv, Handler, Handlers, PageComponent, PageLayout } from "./context.ts";
import { renderPage } from "./render.tsx";

interface RouteModule {
  handler?: Handlers;
  default?: PageComponent;
}

export async function mountFileRoutes(app: Hono<AppEnv>, routesDir: URL): Promise<void> {
  const files = await listFiles(routesDir);
  const load = async <T>(file: string) => await import(new URL(file, routesDir).href) as T;

  const middlewareOf = new Map<string, MiddlewareHandler<AppEnv>>();
  const layoutOf = new Map<string, PageLayout>();
  for (const file of files.sort(byDepth)) {
    const special = /(^|\/)_(middleware|layout)\.tsx?$/.exec(file);
    if (!special) continue;
    const dir = file.slice(0, file.lastIndexOf("/") + 1);
    if (special[2] === "middleware") {
      const { middleware } = await load<{ middleware: MiddlewareHandler<AppEnv> }>(file);
      if (isInGroup(dir)) middlewareOf.set(dir, middleware);
      else app.use(`/${dir}*`, middleware);
    } else {
      layoutOf.set(dir, (await load<{ default: PageLayout }>(file)).default);
    }
  }

  const routes = files
    .filter((f) => /\.tsx?$/.test(f) && !f.split("/").some((part) => part.startsWith("_")))
    .map((file) => ({ file, path: pathOf(file) }))
    // Literal segments win over [params]: register them first.
    .sort((a, b) => paramCount(a.path) - paramCount(b.path) || a.path.localeCompare(b.path));
  for (const { file, path } of routes) {
    const mod = await load<RouteModule>(file);
    const folders = foldersOf(file);
    const layouts = folders.flatMap((dir) => layoutOf.get(dir) ?? []);
    const groupMiddlewares = folders.flatMap((dir) => middlewareOf.get(dir) ?? []);
    // A group's middleware runs after the layouts are known (it may render a page). Otherwise the
    // layouts travel with the handler: the root layout wraps every page, and a /v1 call should
    // not pay a middleware step for it.
    if (groupMiddlewares.length) {
      app.use(path, async (c, next) => {
        c.set("layouts", layouts);
        await next();
      }, ...groupMiddlewares);
    }
    const inLayouts = (handle: Handler): Handler =>
      layouts.length
        ? (c) => {
          c.set("layouts", layouts);
          return handle(c);
        }
        : (c) => handle(c);
    for (const [method, handle] of Object.entries(mod.handler ?? {})) {
      app.on(method, path, inLayouts(handle));
    }
    if (mod.default && !mod.handler?.GET) {
      const Page = mod.default;
      app.get(path, inLayouts((c) => renderPage(c, Page)));
    }
  }
}

function pathOf(file: string): string {
  const path = file
    .replace(/\.tsx?$/, "")
    .replace(/(^|\/)index$/, "")
    .replace(/(^|\/)\([a-z0-9_-]+\)(?=\/|$)/g, "")
    .replace(/^\//, "")
    .replace(/\[([a-zA-Z_]+)\]/g, ":$1");
  return `/${path}`;
}

/** "a/(g)/b/x.tsx" → ["", "a/", "a/(g)/", "a/(g)/b/"]: the folders a route sits in, outermost first. */
function foldersOf(file: string): string[] {
  const parts = file.split("/").slice(0, -1);
  return ["", ...parts.map((_, i) => `${parts.slice(0, i + 1).join("/")}/`)];
}

const isInGroup = (dir: string) => /(^|\/)\([a-z0-9_-]+\)\//.test(dir);
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
