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
  "soon.badge": { en: "Coming soon", "zh-CN": "即将推出" },
  "soon.logs": {
    en:
      "Every API call and every image made on the Images page will be listed here with its model, status, time taken and exact cost, with filters and a CSV export.",
    "zh-CN":
      "这里将列出每一次 API 调用和在“图像”页生成的每一张图，包括模型、状态、耗时和精确费用，并支持筛选与导出 CSV。",
  },
  "soon.meanwhile": {
    en: "Until then, your balance is always at the top of the page.",
    "zh-CN": "在此之前，你的余额始终显示在页面顶部。",
  },
});
