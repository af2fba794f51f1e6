import assert from "node:assert/strict";
import { localPath } from "./local_path.ts";

Deno.test("next and back paths stay on this site", () => {
  for (const ok of ["/", "/keys", "/images?model=gpt-image-2#top", "/account/login?next=%2Fkeys"]) {
    assert.equal(localPath(ok), ok);
  }
  const elsewhere = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "keys",
    "",
    undefined,
    42,
    `/${"a".repeat(3000)}`,
  ];
  for (const bad of elsewhere) assert.equal(localPath(bad, "/home"), "/home");
});
