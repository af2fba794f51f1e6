// The home page: for visitors, what Tokensmart is; for the signed in, where to start.
import { defineMessages } from "./define.ts";

export const home = defineMessages({
  "home.title": {
    en: "One API key for every image and text model",
    "zh-CN": "一个 API 密钥，畅用所有图像与文本模型",
  },
  "home.lead": {
    en:
      "Prepay once, then make images right here or call the OpenAI-compatible API. Every call is held, charged exactly and logged.",
    "zh-CN":
      "预付一次，即可在网页上直接生成图像，或调用兼容 OpenAI 的 API。每次调用都会先冻结额度，再按实际结果精确扣费并记入日志。",
  },
  "home.cta.signup": { en: "Create a free account", "zh-CN": "免费注册" },
  "home.cta.pricing": { en: "See pricing", "zh-CN": "查看价格" },
  "home.perCall.title": { en: "Pay per generation", "zh-CN": "按次计费" },
  "home.perCall.body": {
    en:
      "A prepaid balance kept to the micro-dollar. You are charged only for what is delivered, and a blocked prompt costs nothing.",
    "zh-CN": "预付余额精确到百万分之一美元。只为实际交付的结果付费，被拦截的提示词不收费。",
  },
  "home.compatible.title": { en: "OpenAI-compatible", "zh-CN": "兼容 OpenAI" },
  "home.compatible.body": {
    en:
      "Point any OpenAI SDK at Tokensmart by changing its base URL and key. Your code stays the same.",
    "zh-CN": "只需更换 base URL 和密钥，任意 OpenAI SDK 即可接入 Tokensmart，代码无需改动。",
  },
  "home.page.title": { en: "Images in the browser", "zh-CN": "网页直接出图" },
  "home.page.body": {
    en:
      "Type one sentence on the Images page and get pictures in seconds, with the time and cost of each.",
    "zh-CN": "在“图像”页输入一句话，几秒内即可出图，并显示每次的耗时与费用。",
  },
  "home.quickstart": { en: "Quick start", "zh-CN": "快速上手" },
  "home.quickstart.lead": {
    en: "Use your key with any OpenAI SDK. The base URL is",
    "zh-CN": "在任意 OpenAI SDK 中使用你的密钥，base URL 为",
  },
  "home.welcome": { en: "Welcome back", "zh-CN": "欢迎回来" },
  "home.welcome.balance": { en: "Your balance is {balance}.", "zh-CN": "你的余额为 {balance}。" },
  "home.welcome.empty": {
    en: "New accounts start at $0.00: ask your Tokensmart operator to add funds.",
    "zh-CN": "新账户的余额为 $0.00，请联系 Tokensmart 运营方为你充值。",
  },
  "home.next.images": { en: "Make images", "zh-CN": "生成图像" },
  "home.next.images.body": {
    en: "Type a sentence, get pictures and their cost.",
    "zh-CN": "输入一句话，即刻出图并显示费用。",
  },
  "home.next.keys": { en: "Create an API key", "zh-CN": "创建 API 密钥" },
  "home.next.keys.body": {
    en: "Call the API from your own code.",
    "zh-CN": "在你自己的代码中调用 API。",
  },
  "home.next.pricing": { en: "See prices", "zh-CN": "查看价格" },
  "home.next.pricing.body": {
    en: "Per generation, exact to the micro-dollar.",
    "zh-CN": "按次计价，精确到百万分之一美元。",
  },
});
