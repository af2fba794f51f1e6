// The file router keeps Fresh's conventions: a (group) folder adds nothing to the URL, its
// _middleware runs for its routes alone, and _layout files wrap the pages below them, outermost
// first (async ones awaited), whether a page is rendered by default or by a handler.
import assert from "node:assert/strict";
import { Hono } from "hono";
import type { AppEnv } from "../framework/context.ts";
import { mountFileRoutes } from "../framework/file_routes.ts";

const app = new Hono<AppEnv>();
await mountFileRoutes(app, new URL("./_fixtures/routes/", import.meta.url));
const get = async (path: string) => {
  const response = await app.request(path);
  return { status: response.status, text: await response.text() };
};

Deno.test("a page in a group is served without the group's name, inside its layouts", async () => {
  const page = await get("/inner/page");
  assert.equal(page.status, 200);
  assert.match(
    page.text,
    /^<!doctype html><div id="group"><section id="inner"><p>inner page<\/p><\/section><\/div>$/,
  );
  assert.equal((await get("/(group)/inner/page")).status, 404);
});

Deno.test("layouts may be async, and the outer ones see the title the page set", async () => {
  const page = await get("/titled");
  assert.equal(
    page.text,
    '<!doctype html><div id="group" title="Named by its page"><p>titled</p></div>',
  );
});

Deno.test("a handler's renderPage gets the layouts too, with its own status", async () => {
  const page = await get("/shown");
  assert.equal(page.status, 404);
  assert.match(page.text, /<div id="group"><p>rendered by a handler<\/p><\/div>/);
});

Deno.test("a group's middleware runs for its routes and no others", async () => {
  assert.equal((await get("/inner/page?deny=1")).status, 403);
  const plain = await get("/plain/page?deny=1");
  assert.equal(plain.status, 200);
  assert.equal(plain.text, "<!doctype html><p>plain page</p>");
});
