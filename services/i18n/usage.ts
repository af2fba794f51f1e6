// Usage at a glance, on the signed-in home page.
import { defineMessages } from "./define.ts";

export const usage = defineMessages({
  "usage.title": { en: "Usage at a glance", "zh-CN": "用量概览" },
  "usage.balance": { en: "Balance", "zh-CN": "余额" },
  "usage.monthToDate": { en: "This month so far", "zh-CN": "本月累计" },
  "usage.last30": { en: "Last 30 days", "zh-CN": "近 30 天" },
  "usage.seeInvoice": { en: "See the invoice", "zh-CN": "查看账单" },
  "usage.kind.image": { en: "Images", "zh-CN": "图像" },
  "usage.kind.text": { en: "Text", "zh-CN": "文本" },
  "usage.kind.other": { en: "Other", "zh-CN": "其他" },
  "usage.chart.title": { en: "Spend per day, last 30 days", "zh-CN": "近 30 天每日消费" },
  "usage.chart.desc": {
    en: "Bars stacked by kind, one per day from {from} to {to} (UTC); {total} in all.",
    "zh-CN": "按类型堆叠的柱形图，每天一根，从 {from} 到 {to}（UTC）；合计 {total}。",
  },
  "usage.chart.legend": { en: "Legend", "zh-CN": "图例" },
  "usage.byModel": { en: "By model, last 30 days", "zh-CN": "按模型（近 30 天）" },
  "usage.asTable": { en: "Spend per day as a table", "zh-CN": "以表格查看每日消费" },
  "usage.col.day": { en: "Day", "zh-CN": "日期" },
  "usage.col.total": { en: "Total", "zh-CN": "合计" },
  "usage.col.model": { en: "Model", "zh-CN": "模型" },
  "usage.col.kind": { en: "Kind", "zh-CN": "类型" },
  "usage.col.amount": { en: "Amount", "zh-CN": "金额" },
  "usage.none": { en: "No charges in the last 30 days.", "zh-CN": "近 30 天无消费。" },
});
