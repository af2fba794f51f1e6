// Invoices: the list of months and the printable invoice.
import { defineMessages } from "./define.ts";

export const invoices = defineMessages({
  "invoices.title": { en: "Invoices", "zh-CN": "账单" },
  "invoices.lead": {
    en:
      "One per month (UTC), itemized from your ledger: every charge by model, every top-up and refund. The month still running is a draft until it closes.",
    "zh-CN":
      "每月一份（按 UTC 计），逐项取自你的账本：按模型列出每笔消费，以及每笔充值和退款。进行中的月份在结账前为草稿。",
  },
  "invoices.col.month": { en: "Month", "zh-CN": "月份" },
  "invoices.col.number": { en: "Invoice number", "zh-CN": "发票编号" },
  "invoices.col.status": { en: "Status", "zh-CN": "状态" },
  "invoices.col.actions": { en: "Open or download", "zh-CN": "查看或下载" },
  "invoices.status.draft": { en: "Draft", "zh-CN": "草稿" },
  "invoices.status.closed": { en: "Closed", "zh-CN": "已结账" },
  "invoices.view": { en: "View", "zh-CN": "查看" },
  "invoices.viewMonth": { en: "View the invoice of {month}", "zh-CN": "查看 {month} 的账单" },
  "invoices.csv": { en: "Download CSV", "zh-CN": "下载 CSV" },
  "invoices.csvMonth": { en: "Download {month} as CSV", "zh-CN": "下载 {month} 的 CSV" },
  "invoices.back": { en: "All invoices", "zh-CN": "全部账单" },
  "invoice.title": { en: "Invoice · {month}", "zh-CN": "{month}账单" },
  "invoice.print": { en: "Print", "zh-CN": "打印" },
  "invoice.printHint": {
    en: "For a PDF, print it and choose “Save as PDF”.",
    "zh-CN": "如需 PDF，请打印并选择“另存为 PDF”。",
  },
  "invoice.number": { en: "Invoice number", "zh-CN": "发票编号" },
  "invoice.unnumbered": {
    en: "Draft: numbered when the month closes",
    "zh-CN": "草稿：结账时编号",
  },
  "invoice.period": { en: "Period", "zh-CN": "账期" },
  "invoice.closedAt": { en: "Closed", "zh-CN": "结账时间" },
  "invoice.billedTo": { en: "Billed to", "zh-CN": "客户" },
  "invoice.draftNote": {
    en:
      "Draft: it follows your calls as they are charged until the month closes. Calls still in flight are not charges yet.",
    "zh-CN": "草稿：在本月结账前随每笔扣费实时更新。仍在进行中的调用尚未计入消费。",
  },
  "invoice.summary": { en: "Summary", "zh-CN": "概要" },
  "invoice.opening": { en: "Opening balance", "zh-CN": "期初余额" },
  "invoice.topUps": { en: "Top-ups", "zh-CN": "充值" },
  "invoice.refunds": { en: "Refunds", "zh-CN": "退款" },
  "invoice.charges": { en: "Charges", "zh-CN": "消费" },
  "invoice.closing": { en: "Closing balance", "zh-CN": "期末余额" },
  "invoice.lines": { en: "Charges by model", "zh-CN": "消费明细" },
  "invoice.col.item": { en: "Item", "zh-CN": "项目" },
  "invoice.col.quantity": { en: "Quantity", "zh-CN": "数量" },
  "invoice.col.unitPrice": { en: "Unit price", "zh-CN": "单价" },
  "invoice.col.amount": { en: "Amount", "zh-CN": "金额" },
  "invoice.col.date": { en: "Date", "zh-CN": "日期" },
  "invoice.col.description": { en: "Description", "zh-CN": "说明" },
  "invoice.image": {
    en: "Image generation · {size} · {quality}",
    "zh-CN": "图像生成 · {size} · {quality}",
  },
  "invoice.quality.low": { en: "low quality", "zh-CN": "低质量" },
  "invoice.quality.medium": { en: "medium quality", "zh-CN": "中等质量" },
  "invoice.quality.high": { en: "high quality", "zh-CN": "高质量" },
  "invoice.token.input": { en: "Input tokens", "zh-CN": "输入 token" },
  "invoice.token.cached_input": { en: "Cached input tokens", "zh-CN": "缓存输入 token" },
  "invoice.token.cache_write": { en: "Cache-write tokens", "zh-CN": "缓存写入 token" },
  "invoice.token.output": { en: "Output tokens", "zh-CN": "输出 token" },
  "invoice.rounding": {
    en: "Rounding: each call's cost is rounded up to the micro-dollar (quantity: calls)",
    "zh-CN": "取整：每次调用的费用向上取整到百万分之一美元（数量为调用次数）",
  },
  "invoice.capped": {
    en: "Capped at what the calls held: usage reported above their bound (quantity: calls)",
    "zh-CN": "按调用冻结的额度封顶：上游报告的用量超出上限（数量为调用次数）",
  },
  "invoice.other": { en: "Other charges (quantity: calls)", "zh-CN": "其他消费（数量为调用次数）" },
  "invoice.per.image": { en: "{price} / image", "zh-CN": "{price} / 张" },
  "invoice.per.mtok": { en: "{price} / 1M tokens", "zh-CN": "{price} / 百万 token" },
  "invoice.noCharges": { en: "No charges in this period.", "zh-CN": "本账期无消费。" },
  "invoice.credits": { en: "Top-ups and refunds", "zh-CN": "充值与退款" },
  "invoice.topup": { en: "Top-up", "zh-CN": "充值" },
  "invoice.refund": { en: "Refund", "zh-CN": "退款" },
  "invoice.noCredits": {
    en: "No top-ups or refunds in this period.",
    "zh-CN": "本账期无充值或退款。",
  },
  "invoice.total": { en: "Total", "zh-CN": "合计" },
  "invoice.reconcile": {
    en:
      "Amounts in USD, exact to the micro-dollar. Opening balance + top-ups + refunds − charges = closing balance.",
    "zh-CN": "金额单位为美元，精确到百万分之一美元。期初余额 + 充值 + 退款 − 消费 = 期末余额。",
  },
});
