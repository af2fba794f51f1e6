// Messages shared by every page: the frame, the language switch. Each key in both languages.
import { defineMessages } from "./define.ts";

export const common = defineMessages({
  "site.name": { en: "Tokensmart", "zh-CN": "Tokensmart" },
  "site.tagline": {
    en: "One API key, one prepaid balance and one request log for text and image models.",
    "zh-CN": "一个 API 密钥、一份预付余额、一份请求日志，文本模型与图像模型通用。",
  },
  "site.skip": { en: "Skip to content", "zh-CN": "跳到主要内容" },
  "site.nav": { en: "Site", "zh-CN": "网站导航" },
  "site.nav.pricing": { en: "Pricing", "zh-CN": "价格" },
  "site.nav.login": { en: "Log in", "zh-CN": "登录" },
  "site.nav.signup": { en: "Sign up", "zh-CN": "注册" },
  "site.footer": {
    en: "An OpenAI-compatible gateway for image and text models.",
    "zh-CN": "兼容 OpenAI 的图像与文本模型网关。",
  },
  "lang.switch": { en: "Language", "zh-CN": "语言" },
  "lang.en": { en: "English", "zh-CN": "English" },
  "lang.zh-CN": { en: "简体中文", "zh-CN": "简体中文" },
  "copy.copy": { en: "Copy", "zh-CN": "复制" },
  "copy.copied": { en: "Copied", "zh-CN": "已复制" },
});
