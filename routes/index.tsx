import type { AppContext } from "../framework/context.ts";

export default function Home(_: { c: AppContext }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Tokensmart</title>
      </head>
      <body>
        <h1>Tokensmart</h1>
        <p>One API key, one prepaid balance and one request log for text and image models.</p>
        <p>
          The API is OpenAI-compatible: point your SDK's <code>base_url</code> at <code>/v1</code>.
        </p>
      </body>
    </html>
  );
}
