// The pricing page.
import { defineMessages } from "./define.ts";

export const pricing = defineMessages({
  "pricing.title": { en: "Pricing", "zh-CN": "价格" },
  "pricing.lead": {
    en:
      "Pay only for what you make, from a prepaid balance. Prices are in US dollars, exact to the micro-dollar, and every charge records the price it used.",
    "zh-CN":
      "从预付余额中按实际使用付费。价格以美元计，精确到百万分之一美元，每笔扣费都会记录所用的价格。",
  },
  "pricing.images": { en: "Image models", "zh-CN": "图像模型" },
  "pricing.perGeneration": { en: "Per Generation", "zh-CN": "每次生成" },
  "pricing.size": { en: "Size", "zh-CN": "尺寸" },
  "pricing.images.caption": {
    en: "Image models: price per image, by size and quality",
    "zh-CN": "图像模型：按尺寸和质量列出的每张图像价格",
  },
  "pricing.quality.low": { en: "Low", "zh-CN": "低质量" },
  "pricing.quality.medium": { en: "Medium", "zh-CN": "中质量" },
  "pricing.quality.high": { en: "High", "zh-CN": "高质量" },
  "pricing.size.1024x1024": { en: "Square", "zh-CN": "方形" },
  "pricing.size.1536x1024": { en: "Landscape", "zh-CN": "横向" },
  "pricing.size.1024x1536": { en: "Portrait", "zh-CN": "纵向" },
  "pricing.default": { en: "Default", "zh-CN": "默认" },
  "pricing.retires": { en: "Retires {date}", "zh-CN": "{date}停用" },
  "pricing.custom": {
    en:
      "Custom sizes: any other W×H this model can make (sides in multiples of 16, up to 3840 px, at most 3:1) costs the 1024×1024 price at that quality scaled by pixel count, rounded up to the micro-dollar.",
    "zh-CN":
      "自定义尺寸：该模型可生成的其他任意 宽×高（边长为 16 的倍数，最长 3840 像素，宽高比不超过 3:1），按同质量 1024×1024 的价格乘以像素比例计费，向上取整到百万分之一美元。",
  },
  "pricing.text": { en: "Text models", "zh-CN": "文本模型" },
  "pricing.text.caption": {
    en: "Text models: prices per million tokens",
    "zh-CN": "文本模型：每百万 tokens 的价格",
  },
  "pricing.perMtok": { en: "Per million tokens", "zh-CN": "每百万 tokens" },
  "pricing.model": { en: "Model", "zh-CN": "模型" },
  "pricing.input": { en: "Input", "zh-CN": "输入" },
  "pricing.cachedInput": { en: "Cached input", "zh-CN": "缓存输入" },
  "pricing.cacheWrite": { en: "Cache write", "zh-CN": "缓存写入" },
  "pricing.output": { en: "Output", "zh-CN": "输出" },
  "pricing.text.note": {
    en:
      "A call costs its tokens at these rates, rounded up to the micro-dollar once per call. Cache writes cost the input rate where no rate is shown.",
    "zh-CN":
      "每次调用按上述单价计算所用 tokens 的费用，每次调用只向上取整一次到百万分之一美元。未列出缓存写入价格的模型按输入价格计费。",
  },
  "pricing.note.n": {
    en: "A generation is one image: a call for n images costs n times the price.",
    "zh-CN": "每生成一张图像计为一次：一次请求生成 n 张，按 n 倍价格计费。",
  },
  "pricing.note.auto": {
    en:
      "Auto size or quality holds the highest price it could come to, then charges for what was actually made.",
    "zh-CN": "尺寸或质量选择“自动”时，先冻结可能的最高价格，再按实际生成的结果扣费。",
  },
  "pricing.note.blocked": {
    en: "A prompt blocked by the model's safety check costs nothing.",
    "zh-CN": "被模型安全检查拦截的提示词不收取任何费用。",
  },
});
