// The Images page: the composer, the results and history, and what each problem means to do.
import { defineMessages } from "./define.ts";

export const images = defineMessages({
  "images.title": { en: "Images", "zh-CN": "图像" },
  "images.lead": {
    en: "Describe a picture in one sentence. You pay per image, and only for images delivered.",
    "zh-CN": "用一句话描述你想要的画面。按张计费，只为成功生成的图片付费。",
  },
  "images.demoOnly": {
    en:
      "These pictures are drawn locally by the built-in demo painter, not by a real model. Add an upstream channel to use real models.",
    "zh-CN": "当前图片由内置演示绘图器在本地绘制，并非真实模型。添加上游渠道即可使用真实模型。",
  },
  "images.prompt": { en: "Describe the picture", "zh-CN": "描述画面" },
  "images.placeholder": {
    en: "A cozy orange cat in a wizard's hat, sitting on a rooftop under moonlight",
    "zh-CN": "一只戴着巫师帽的橘猫，坐在月光下的屋顶上",
  },
  "images.hint": {
    en: "Enter to send · Shift+Enter for a new line",
    "zh-CN": "Enter 发送 · Shift+Enter 换行",
  },
  "images.size": { en: "Size", "zh-CN": "尺寸" },
  "images.quality": { en: "Quality", "zh-CN": "质量" },
  "images.background": { en: "Background", "zh-CN": "背景" },
  "images.count": { en: "Count", "zh-CN": "数量" },
  "images.model": { en: "Model", "zh-CN": "模型" },
  "images.auto": { en: "Auto", "zh-CN": "自动" },
  "images.size.1024x1024": { en: "Square", "zh-CN": "方形" },
  "images.size.1536x1024": { en: "Landscape", "zh-CN": "横版" },
  "images.size.1024x1536": { en: "Portrait", "zh-CN": "竖版" },
  "images.quality.low": { en: "Low", "zh-CN": "低" },
  "images.quality.medium": { en: "Medium", "zh-CN": "中" },
  "images.quality.high": { en: "High", "zh-CN": "高" },
  "images.background.opaque": { en: "Opaque", "zh-CN": "不透明" },
  "images.background.transparent": { en: "Transparent", "zh-CN": "透明" },
  "images.notForModel": { en: "Not available with {model}", "zh-CN": "{model} 不支持此选项" },
  "images.option.each": { en: "{model} · {price} / image", "zh-CN": "{model} · {price}/张" },
  "images.option.from": { en: "{model} · from {price} / image", "zh-CN": "{model} · {price}/张起" },
  "images.price.exact": { en: "{total}", "zh-CN": "{total}" },
  "images.price.times": { en: "{n} × {each} = {total}", "zh-CN": "{n} × {each} = {total}" },
  "images.price.upTo": { en: "Up to {total}", "zh-CN": "最多 {total}" },
  "images.price.upToTimes": {
    en: "Up to {total} ({n} × {each})",
    "zh-CN": "最多 {total}（{n} × {each}）",
  },
  "images.price.note": {
    en: "Held while it draws; you pay for the images delivered, at the size and quality made.",
    "zh-CN": "生成期间预扣，按实际生成的图片及其尺寸、质量计费。",
  },
  "images.balanceLow": {
    en: "Your balance ({balance}) may not cover this.",
    "zh-CN": "余额（{balance}）可能不足以支付本次生成。",
  },
  "images.generate": { en: "Generate", "zh-CN": "生成" },
  "images.generating": { en: "Generating…", "zh-CN": "生成中…" },
  "images.blocked.title": { en: "Blocked by the safety check", "zh-CN": "描述已被内容审核拦截" },
  "images.blocked.body": {
    en:
      "Nothing was drawn and nothing was charged. Rewrite the description (it is still below) and try again.",
    "zh-CN": "未生成图片，也未扣费。请修改下方的描述后重试。",
  },
  "images.quota": {
    en: "Your balance does not cover this generation (up to {price}). Nothing was charged.",
    "zh-CN": "余额不足以支付本次生成（最多 {price}），未扣费。",
  },
  "images.quota.link": { en: "Top up or check your keys", "zh-CN": "充值或查看密钥" },
  "images.rateLimited": {
    en: "The model is busy right now. Nothing was charged; try again in a minute.",
    "zh-CN": "模型当前繁忙，未扣费。请稍等一分钟后重试。",
  },
  "images.unavailable": {
    en:
      "The image service is not answering right now. Nothing was charged; try again in a few minutes.",
    "zh-CN": "图像服务暂时无法响应，未扣费。请几分钟后重试。",
  },
  "images.session": {
    en: "Your session has ended. Log in again to keep generating.",
    "zh-CN": "登录已失效，请重新登录后继续生成。",
  },
  "images.session.link": { en: "Log in", "zh-CN": "重新登录" },
  "images.failed": {
    en: "This could not be generated: {message} Nothing was charged.",
    "zh-CN": "无法生成：{message} 未扣费。",
  },
  "images.offline": {
    en: "Could not reach Tokensmart. Check your connection and try again.",
    "zh-CN": "无法连接 Tokensmart，请检查网络后重试。",
  },
  "images.dismiss": { en: "Dismiss", "zh-CN": "关闭" },
  "images.history": { en: "History", "zh-CN": "历史记录" },
  "images.empty": {
    en:
      "Your pictures will appear here and stay here: every generation is kept, those made through the API too.",
    "zh-CN": "生成的图片会显示在这里并自动归档，通过 API 生成的图片也在其中。",
  },
  "images.running": { en: "Generating… {s} s", "zh-CN": "生成中… {s} 秒" },
  "images.held": { en: "up to {price} held", "zh-CN": "预扣最多 {price}" },
  "images.seconds": { en: "{s} s", "zh-CN": "{s} 秒" },
  "images.elapsed": { en: "Time", "zh-CN": "用时" },
  "images.cost": { en: "Cost", "zh-CN": "费用" },
  "images.viaApi": { en: "API", "zh-CN": "API" },
  "images.zip": { en: "Download ZIP", "zh-CN": "下载 ZIP" },
  "images.open": { en: "Zoom image {i} of {n}", "zh-CN": "放大查看第 {i} 张（共 {n} 张）" },
  "images.download": { en: "Download image {i}", "zh-CN": "下载第 {i} 张" },
  "images.preview": { en: "Image preview", "zh-CN": "图片预览" },
  "images.close": { en: "Close", "zh-CN": "关闭" },
  "images.downloadOne": { en: "Download", "zh-CN": "下载" },
  "images.loading": { en: "Loading earlier generations…", "zh-CN": "正在加载更早的记录…" },
  "images.more": { en: "Show earlier generations", "zh-CN": "显示更早的记录" },
  "images.moreFailed": {
    en: "Earlier generations could not be loaded.",
    "zh-CN": "更早的记录加载失败。",
  },
  "images.retry": { en: "Try again", "zh-CN": "重试" },
});
