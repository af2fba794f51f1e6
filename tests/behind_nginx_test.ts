// Tokensmart behind nginx with deploy/nginx.conf, as a deployment runs it: every answer a client
// gets is in OpenAI's envelope, those nginx gives itself included (a head over 64 KiB, which Deno's
// server alone would refuse with a bare 400; Tokensmart away). Tokensmart's own answers and
// streams pass through untouched. Runs Debian's nginx (.ci/run installs it).
import assert from "node:assert/strict";
import OpenAI from "openai";
import { test } from "./_helpers/database.ts";
import { addTextChannel, startGateway } from "./_helpers/app.ts";
import { assertLedgerHolds, customer } from "./_helpers/fixtures.ts";
import { freePort } from "./_helpers/processes.ts";
import { startStandinTextUpstreams } from "./_helpers/standin_text_upstreams.ts";
import { balanceOf } from "../services/billing/ledger.ts";

const NGINX = "/usr/sbin/nginx";

/** nginx with deploy/nginx.conf (its two addresses changed), in a folder of its own. */
async function startNginx(upstreamPort: number) {
  try {
    await Deno.stat(NGINX);
  } catch {
    throw new Error(
      `${NGINX} is missing: install Debian's nginx (.ci/run does: apt-get install -y nginx)`,
    );
  }
  const dir = await Deno.makeTempDir({ prefix: "tokensmart-nginx-" });
  const port = freePort();
  const site = (await Deno.readTextFile(new URL("../deploy/nginx.conf", import.meta.url)))
    .replace("listen 80;", `listen 127.0.0.1:${port};`)
    .replace("server 127.0.0.1:8000;", `server 127.0.0.1:${upstreamPort};`);
  assert.match(
    site,
    new RegExp(`listen 127.0.0.1:${port};[\\s\\S]*`),
    "deploy/nginx.conf changed shape",
  );
  await Deno.writeTextFile(`${dir}/site.conf`, site);
  // One process as this user (no workers dropping to another user), everything in `dir`.
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    `daemon off; master_process off; pid ${dir}/nginx.pid; error_log stderr error;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  include ${dir}/site.conf;
}
`,
  );
  const child = new Deno.Command(NGINX, {
    args: ["-p", dir, "-c", `${dir}/nginx.conf`],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0;; tries++) {
    try {
      await (await fetch(`${url}/healthz`)).body?.cancel();
      break;
    } catch (error) {
      if (tries > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    client: (key: string) => new OpenAI({ apiKey: key, baseURL: `${url}/v1`, maxRetries: 0 }),
    async stop() {
      child.kill("SIGTERM");
      await child.output();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const gw = await startGateway({ TRUST_PROXY: "on" });
const { sql } = gw;
const nginx = await startNginx(Number(new URL(gw.server.url).port));
const text = startStandinTextUpstreams();
await addTextChannel(sql, text, "openai", ["gpt-5-mini"], { name: "openai-text" });

async function apiError(call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await call.then(() => null, (error) => error);
  assert.ok(error instanceof OpenAI.APIError, `expected an APIError, got ${error}`);
  return error;
}

test("a 1 MB Authorization header is answered in OpenAI's envelope (431), and costs nothing", async () => {
  const hugo = await customer(sql, { balance: 1_000_000n });
  const error = await apiError(
    nginx.client(`${hugo.key}${"k".repeat(1_000_000)}`).images.generate({
      model: "gpt-image-2",
      prompt: "a fox",
    }),
  );
  assert.equal(error.status, 431);
  assert.equal(error.code, "request_headers_too_large");
  assert.equal(error.type, "invalid_request_error");
  assert.match(error.message, /64 KiB/);
  assert.equal((await balanceOf(sql, hugo.accountId)).available, 1_000_000n);
  assert.equal(gw.upstream.calls.length, 0);
});

test("a request nginx cannot read is answered 400 in the envelope", async () => {
  const { port } = new URL(nginx.url);
  const connection = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
  await connection.write(new TextEncoder().encode("GARBAGE\r\n\r\n"));
  const answer = await new Response(connection.readable).text();
  const [head, body] = answer.split("\r\n\r\n");
  assert.match(head, /^HTTP\/1\.1 400 /);
  assert.match(head, /content-type: application\/json/i);
  assert.equal(JSON.parse(body).error.code, "bad_request");
});

test("a head under 64 KiB reaches Tokensmart, whose own refusals pass through untouched", async () => {
  // nginx answers its own 400s in its envelope; one of ours must stay ours.
  const bea = await customer(sql, { balance: 1_000_000n });
  const invalid = await apiError(
    nginx.client(bea.key).images.generate(
      { model: "gpt-image-2" } as unknown as OpenAI.ImageGenerateParams,
    ),
  );
  assert.equal(invalid.status, 400);
  assert.equal(invalid.param, "prompt");
  assert.ok(invalid.requestID);

  const error = await apiError(
    nginx.client(`pk_live_${"k".repeat(60_000)}`).images.generate({
      model: "gpt-image-2",
      prompt: "a fox",
    }),
  );
  assert.equal(error.status, 401);
  assert.equal(error.code, "invalid_api_key");
  assert.ok(error.requestID, "Tokensmart's answer keeps its x-request-id");
});

test("an image call and a streamed chat call go through, charged once; a failed upstream stays Tokensmart's answer", async () => {
  const ines = await customer(sql, { balance: 5_000_000n });
  const client = nginx.client(ines.key);
  const image = await client.images.generate({ model: "gpt-image-2", prompt: "a fox" });
  assert.equal(image.data?.length, 1);

  text.respond = () => ({ kind: "reply", text: "one two three four five" });
  const stream = await client.chat.completions.create({
    model: "gpt-5-mini",
    messages: [{ role: "user", content: "Count to five." }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let said = "";
  let usage;
  for await (const chunk of stream) {
    said += chunk.choices[0]?.delta?.content ?? "";
    usage ??= chunk.usage ?? undefined;
  }
  assert.equal(said, "one two three four five");
  assert.ok(usage && usage.completion_tokens > 0);

  gw.upstream.respond = () => ({ kind: "status", status: 500, message: "upstream broke" });
  const failed = await apiError(client.images.generate({ model: "gpt-image-2", prompt: "a fox" }));
  // A 502 nginx would have replaced with its own 503, had it intercepted Tokensmart's answers.
  assert.equal(failed.status, 502);
  assert.equal(failed.code, "upstream_error");
  assert.match(failed.message, /nothing was charged/);
  assert.ok(failed.requestID);
  gw.upstream.respond = () => ({ kind: "ok" });

  const charged = await sql<{ n: number }[]>`
    select count(*)::int as n from request_log
    where user_id = ${ines.id} and status = 'ok' and cost > 0`;
  assert.equal(charged[0].n, 2);
  await assertLedgerHolds(sql);
});

test("with Tokensmart away, nginx answers 503 in the envelope, with Retry-After", async () => {
  const otto = await customer(sql, { balance: 1_000_000n });
  await gw.server.shutdown();
  const error = await apiError(nginx.client(otto.key).models.list());
  assert.equal(error.status, 503);
  assert.equal(error.code, "service_unavailable");
  assert.equal(error.type, "server_error");
  assert.equal(error.headers?.get("retry-after"), "2");
  await nginx.stop();
  await text.close();
});
