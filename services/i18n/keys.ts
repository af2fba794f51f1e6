// The API keys page.
import { defineMessages } from "./define.ts";

export const keys = defineMessages({
  "keys.title": { en: "API keys", "zh-CN": "API 密钥" },
  "keys.lead": {
    en:
      "Use a key with any OpenAI SDK as its API key. Each key can have its own spend limit, and a revoked key stops working at once.",
    "zh-CN": "在任意 OpenAI SDK 中填入密钥即可使用。每个密钥可单独设置消费上限，吊销后立即失效。",
  },
  "keys.baseUrl": { en: "Base URL", "zh-CN": "Base URL" },
  "keys.create.title": { en: "Create a key", "zh-CN": "创建密钥" },
  "keys.create.name": { en: "Name", "zh-CN": "名称" },
  "keys.create.namePlaceholder": { en: "e.g. production server", "zh-CN": "例如：生产服务器" },
  "keys.create.nameHint": {
    en: "Optional: helps you tell keys apart.",
    "zh-CN": "可选，便于区分不同的密钥。",
  },
  "keys.create.limit": { en: "Spend limit (USD)", "zh-CN": "消费上限（美元）" },
  "keys.create.limitHint": {
    en: "Optional: calls on this key are refused once it has spent this much.",
    "zh-CN": "可选。该密钥累计消费达到此金额后，后续调用将被拒绝。",
  },
  "keys.create.submit": { en: "Create key", "zh-CN": "创建密钥" },
  "keys.create.badLimit": {
    en: "Enter the limit in US dollars, like 5 or 12.50 (up to 6 decimal places).",
    "zh-CN": "请以美元填写上限，例如 5 或 12.50（最多 6 位小数）。",
  },
  "keys.create.zeroLimit": {
    en: "A spend limit must be more than $0. Leave it empty for no limit.",
    "zh-CN": "消费上限必须大于 $0；如不设上限，请留空。",
  },
  "keys.create.longName": {
    en: "Keep the name to 64 characters or fewer.",
    "zh-CN": "名称最多 64 个字符。",
  },
  "keys.new.title": { en: "Your new key", "zh-CN": "你的新密钥" },
  "keys.new.once": {
    en: "Copy it now and keep it somewhere safe: it will not be shown again.",
    "zh-CN": "请立即复制并妥善保存：此密钥只会显示这一次。",
  },
  "keys.list.title": { en: "Your keys", "zh-CN": "你的密钥" },
  "keys.list.empty": {
    en: "No keys yet. Create one to call the API from your code.",
    "zh-CN": "还没有密钥。创建一个即可在代码中调用 API。",
  },
  "keys.list.lastUsedNote": {
    en: "Times are in UTC; “last used” is updated at most once a minute.",
    "zh-CN": "时间均为 UTC；“最近使用”每分钟最多更新一次。",
  },
  "keys.col.name": { en: "Name", "zh-CN": "名称" },
  "keys.col.key": { en: "Key", "zh-CN": "密钥" },
  "keys.col.created": { en: "Created", "zh-CN": "创建时间" },
  "keys.col.lastUsed": { en: "Last used", "zh-CN": "最近使用" },
  "keys.col.spend": { en: "Spent / limit", "zh-CN": "已用 / 上限" },
  "keys.col.status": { en: "Status", "zh-CN": "状态" },
  "keys.col.actions": { en: "Actions", "zh-CN": "操作" },
  "keys.unnamed": { en: "Unnamed", "zh-CN": "未命名" },
  "keys.never": { en: "Never", "zh-CN": "从未使用" },
  "keys.noLimit": { en: "No limit", "zh-CN": "不限" },
  "keys.spentOf": { en: "{spent} of {limit}", "zh-CN": "{spent} / {limit}" },
  "keys.active": { en: "Active", "zh-CN": "有效" },
  "keys.revoked": { en: "Revoked", "zh-CN": "已吊销" },
  "keys.revoke.open": { en: "Revoke…", "zh-CN": "吊销…" },
  "keys.revoke.confirm": {
    en: "Apps using {prefix}… will be refused at once. This cannot be undone.",
    "zh-CN": "使用 {prefix}… 的应用将立即被拒绝调用，此操作无法撤销。",
  },
  "keys.revoke.submit": { en: "Revoke key", "zh-CN": "确认吊销" },
  "keys.revoke.done": {
    en: "Key {prefix}… is revoked: calls with it are refused from now on.",
    "zh-CN": "密钥 {prefix}… 已吊销，此后使用它的调用都会被拒绝。",
  },
  "keys.notFound.title": { en: "Key not found", "zh-CN": "找不到该密钥" },
  "keys.notFound.body": {
    en: "None of your keys has that id.",
    "zh-CN": "你的密钥中没有这一项。",
  },
  "keys.back": { en: "Back to API keys", "zh-CN": "返回 API 密钥" },
});
