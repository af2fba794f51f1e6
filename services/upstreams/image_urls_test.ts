// An upstream's image URL is fetched only where an image may be: never this server, a local file,
// a loopback or link-local address, nor plain http off the channel's own origin; redirects are
// judged hop by hop.
import assert from "node:assert/strict";
import type { Channel } from "../catalog/channels.ts";
import { fetchImageUrl } from "./image_urls.ts";
import { UpstreamError } from "./types.ts";

/** A real server that records the paths it is asked for; `/to?url` redirects there. */
function recordingServer() {
  const paths: string[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (request) => {
    const url = new URL(request.url);
    paths.push(url.pathname);
    if (url.pathname === "/to") {
      return new Response(null, { status: 302, headers: { location: url.search.slice(1) } });
    }
    return new Response("image bytes");
  });
  return { origin: `http://127.0.0.1:${server.addr.port}`, port: server.addr.port, paths, server };
}

function channelAt(baseUrl: string): Channel {
  return {
    id: 1n,
    name: "c",
    provider: "openai",
    baseUrl,
    apiKey: null,
    models: [],
    priority: 0,
    timeoutMs: 2_000,
    enabled: true,
  };
}

const refusal = (pattern: RegExp) => (error: unknown) =>
  error instanceof UpstreamError && error.kind === "unavailable" && pattern.test(error.message);

Deno.test("the channel's own origin is fetched, redirects within it too", async () => {
  const own = recordingServer();
  try {
    const channel = channelAt(`${own.origin}/v1`);
    const self = { port: 1, publicUrl: "https://gateway.example" };
    const bytes = await fetchImageUrl(
      channel,
      self,
      `${own.origin}/a.png`,
      AbortSignal.timeout(5e3),
    );
    assert.equal(new TextDecoder().decode(bytes), "image bytes");
    await fetchImageUrl(channel, self, `${own.origin}/to?/b.png`, AbortSignal.timeout(5e3));
    assert.deepEqual(own.paths, ["/a.png", "/to", "/b.png"]);
  } finally {
    await own.server.shutdown();
  }
});

Deno.test("this server is never asked, not even when a channel is set up on it", async () => {
  const ours = recordingServer();
  try {
    const self = { port: ours.port, publicUrl: `http://localhost:${ours.port}` };
    for (const host of ["127.0.0.1", "localhost"]) {
      const channel = channelAt(`http://${host}:${ours.port}/v1`);
      await assert.rejects(
        fetchImageUrl(
          channel,
          self,
          `http://${host}:${ours.port}/healthz`,
          AbortSignal.timeout(5e3),
        ),
        refusal(/this server/),
        host,
      );
    }
    const behindTls = { port: ours.port, publicUrl: "https://gateway.example" };
    await assert.rejects(
      fetchImageUrl(
        channelAt(`${ours.origin}/v1`),
        behindTls,
        "https://gateway.example/images/x.png",
        AbortSignal.timeout(5e3),
      ),
      refusal(/this server/),
    );
    assert.deepEqual(ours.paths, []);
  } finally {
    await ours.server.shutdown();
  }
});

Deno.test("local files, other schemes, local addresses and plain http elsewhere are refused", async () => {
  const own = recordingServer();
  const elsewhere = recordingServer();
  try {
    const channel = channelAt(`${own.origin}/v1`);
    const self = { port: 1, publicUrl: "https://gateway.example" };
    const cases: [string, RegExp][] = [
      ["file:///etc/hostname", /file: scheme/],
      ["ftp://example.com/a.png", /ftp: scheme/],
      ["not a url", /not a URL/],
      [`${elsewhere.origin}/a.png`, /plain http/],
      [`http://localhost:${own.port}/a.png`, /plain http/],
      ["https://localhost/a.png", /local address/],
      ["https://127.0.0.2/a.png", /local address/],
      ["https://[::1]/a.png", /local address/],
      ["https://[::ffff:127.0.0.1]/a.png", /local address/],
      ["https://169.254.169.254/latest/meta-data/", /local address/],
      ["https://0.0.0.0/a.png", /local address/],
      [`${own.origin}/to?${elsewhere.origin}/a.png`, /plain http/],
      [`${own.origin}/to?file:///etc/hostname`, /file: scheme/],
      [`${own.origin}/to?/to?/to?/to?/a.png`, /redirects too many times/],
    ];
    for (const [url, why] of cases) {
      await assert.rejects(
        fetchImageUrl(channel, self, url, AbortSignal.timeout(5e3)),
        refusal(why),
        url,
      );
    }
    assert.deepEqual(elsewhere.paths, []);
  } finally {
    await own.server.shutdown();
    await elsewhere.server.shutdown();
  }
});
