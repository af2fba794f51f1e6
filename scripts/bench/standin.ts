// The bench's stand-in for OpenAI: POST /v1/images/generations answers at once with one PNG of
// the size the bench asks for (an image of another size is refused as not what was asked):
// 1024x1024 of one colour in a 2-colour palette, a few hundred bytes as the 64x64 it replaced
// was, encoded once at start, in OpenAI's ImagesResponse shape. It checks the bearer key
// (STANDIN_KEY) and parses every body, as a real server does. Run as its own process by
// scripts/bench.ts, so it never shares an event loop with what is measured; prints
// "listening on http://127.0.0.1:PORT".
import sharp from "sharp";

const key = Deno.env.get("STANDIN_KEY") ?? "sk-bench-standin";
const png = await sharp({
  create: { width: 1024, height: 1024, channels: 3, background: { r: 40, g: 90, b: 160 } },
}).png({ palette: true, colours: 2, compressionLevel: 9, effort: 10 }).toBuffer();
const b64 = png.toString("base64");

function answer(): Response {
  return Response.json({
    created: Math.floor(Date.now() / 1000),
    data: [{ b64_json: b64 }],
    background: "opaque",
    output_format: "png",
    quality: "low",
    size: "1024x1024",
    usage: {
      input_tokens: 12,
      input_tokens_details: { text_tokens: 12, image_tokens: 0 },
      output_tokens: 272,
      total_tokens: 284,
    },
  });
}

function error(status: number, message: string, code: string | null): Response {
  return Response.json(
    { error: { message, type: "invalid_request_error", param: null, code } },
    { status },
  );
}

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`),
}, async (request) => {
  const path = new URL(request.url).pathname;
  if (request.method !== "POST" || path !== "/v1/images/generations") {
    return error(404, "not here", null);
  }
  if (request.headers.get("authorization") !== `Bearer ${key}`) {
    return error(401, "Incorrect API key provided", "invalid_api_key");
  }
  try {
    await request.json();
  } catch {
    return error(400, "We could not parse the JSON body of your request.", "invalid_json");
  }
  return answer();
});
