// Islands, as Fresh does them: components in islands/ are rendered to HTML on the server like
// any other, and also shipped to the browser, where they hydrate in place. Everything else on a
// page is plain HTML with no JavaScript.
//
// At start-up esbuild bundles one small module per island (plus a shared Preact chunk) into
// memory; they are served under /_islands/. On the page, <Island> wraps the server-rendered
// component in a <tsm-island> element carrying its props, and adds a module script that hydrates
// every instance of that island.
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";

const ISLANDS_DIR = new URL("../islands/", import.meta.url);
export const ISLAND_PREFIX = "/_islands/";

export interface IslandBundle {
  /** File name (e.g. "CopyButton.js" or a shared "chunk-….js") → JavaScript. */
  files: Map<string, string>;
}

export async function buildIslands(): Promise<IslandBundle> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(ISLANDS_DIR)) {
    const match = /^([A-Z][A-Za-z0-9]*)\.tsx$/.exec(entry.name);
    if (entry.isFile && match) names.push(match[1]);
  }
  if (names.length === 0) return { files: new Map() };
  const islandsPath = fileURLToPath(ISLANDS_DIR);
  const result = await esbuild.build({
    entryPoints: names.map((name) => ({ in: `island:${name}`, out: name })),
    plugins: [{
      name: "island-entries",
      setup(build) {
        build.onResolve(
          { filter: /^island:/ },
          (args) => ({ path: args.path.slice(7), namespace: "island" }),
        );
        build.onLoad({ filter: /.*/, namespace: "island" }, (args) => ({
          resolveDir: islandsPath,
          loader: "tsx",
          contents: `
            import { h, hydrate } from "preact";
            import Island from "./${args.path}.tsx";
            for (const el of document.querySelectorAll('tsm-island[data-island="${args.path}"]')) {
              hydrate(h(Island, JSON.parse(el.dataset.props || "{}")), el);
            }`,
        }));
      },
    }],
    bundle: true,
    splitting: true,
    format: "esm",
    outdir: "/islands-out",
    write: false,
    minify: true,
    jsx: "automatic",
    jsxImportSource: "preact",
    target: ["es2022"],
    logLevel: "silent",
  });
  await esbuild.stop();
  return {
    files: new Map(
      result.outputFiles.map((file) => [file.path.replace(/^\/islands-out\//, ""), file.text]),
    ),
  };
}
