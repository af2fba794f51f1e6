import assert from "node:assert/strict";
import { catalogue, LOCALES, pick, pickLocale, t } from "./index.ts";

Deno.test("the language comes from the cookie, else Accept-Language by weight, else English", () => {
  assert.equal(pickLocale(undefined, undefined), "en");
  assert.equal(pickLocale(undefined, "zh-CN,zh;q=0.9,en;q=0.8"), "zh-CN");
  assert.equal(pickLocale(undefined, "en-US,en;q=0.9,zh-CN;q=0.8"), "en");
  assert.equal(pickLocale(undefined, "fr-FR, zh-Hans;q=0.5, en;q=0.4"), "zh-CN");
  assert.equal(pickLocale(undefined, "de"), "en");
  assert.equal(pickLocale("en", "zh-CN"), "en");
  assert.equal(pickLocale("zh-CN", "en"), "zh-CN");
  assert.equal(pickLocale("klingon", "zh"), "zh-CN");
});

Deno.test("messages exist in both languages and fill their placeholders", () => {
  assert.equal(t("en", "copy.copied"), "Copied");
  assert.equal(t("zh-CN", "copy.copied"), "已复制");
  assert.deepEqual(pick("zh-CN", ["copy.copy"]), { "copy.copy": "复制" });
});

Deno.test("every message has text in each language, with the same placeholders", () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const [key, texts] of Object.entries(catalogue)) {
    for (const locale of LOCALES) assert.ok(texts[locale].trim(), `${key} in ${locale}`);
    assert.deepEqual(placeholders(texts["zh-CN"]), placeholders(texts.en), key);
  }
});
