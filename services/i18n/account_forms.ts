// Refusals shared by the account forms (log in, sign up): too large, too many attempts, busy.
import { defineMessages } from "./define.ts";

export const accountForms = defineMessages({
  "form.tooLarge": {
    en: "That form was far larger than ours can be, so it was not read. Please fill it in again.",
    "zh-CN": "表单内容远超正常大小，未予读取。请重新填写。",
  },
  "form.tooManySeconds": {
    en: "Too many attempts. Please wait {n} seconds, then try again.",
    "zh-CN": "尝试次数过多。请等待 {n} 秒后再试。",
  },
  "form.tooManyMinutes": {
    en: "Too many attempts. Please wait {n} minutes, then try again.",
    "zh-CN": "尝试次数过多。请等待 {n} 分钟后再试。",
  },
  "form.busy": {
    en: "Many people are signing in at this moment. Please try again in a few seconds.",
    "zh-CN": "此刻登录的人较多，请几秒后再试。",
  },
});
