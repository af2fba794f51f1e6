// The signed-in frame (sidebar, balance) and the pages still to come.
import { defineMessages } from "./define.ts";

export const dashboard = defineMessages({
  "dash.nav": { en: "Dashboard", "zh-CN": "控制台" },
  "dash.menu": { en: "Menu", "zh-CN": "菜单" },
  "dash.nav.images": { en: "Images", "zh-CN": "图像" },
  "dash.nav.keys": { en: "API keys", "zh-CN": "API 密钥" },
  "dash.nav.logs": { en: "Request log", "zh-CN": "请求日志" },
  "dash.nav.invoices": { en: "Invoices", "zh-CN": "账单" },
  "dash.nav.pricing": { en: "Pricing", "zh-CN": "价格" },
  "dash.balance": { en: "Balance", "zh-CN": "余额" },
  "dash.signedInAs": { en: "Signed in as", "zh-CN": "当前账户" },
});
