// Logging in, signing up, logging out.
import { defineMessages } from "./define.ts";

export const account = defineMessages({
  "account.email": { en: "Email", "zh-CN": "邮箱" },
  "account.password": { en: "Password", "zh-CN": "密码" },
  "account.logout": { en: "Log out", "zh-CN": "退出登录" },
  "account.login.title": { en: "Log in", "zh-CN": "登录" },
  "account.login.lead": {
    en: "Welcome back. Log in to make images and manage your keys.",
    "zh-CN": "欢迎回来。登录后即可生成图像、管理密钥。",
  },
  "account.login.submit": { en: "Log in", "zh-CN": "登录" },
  "account.login.failed": {
    en: "That email and password do not match an account.",
    "zh-CN": "邮箱或密码不正确。",
  },
  "account.login.demo": {
    en: "Trying it out? Log in as {email} with the password {password}.",
    "zh-CN": "想先试用？请用 {email} 登录，密码为 {password}。",
  },
  "account.login.noAccount": { en: "New to Tokensmart?", "zh-CN": "还没有账户？" },
  "account.login.toSignup": { en: "Create an account", "zh-CN": "注册新账户" },
  "account.signup.title": { en: "Create your account", "zh-CN": "创建账户" },
  "account.signup.lead": {
    en: "One key and one prepaid balance for every image and text model.",
    "zh-CN": "一个密钥、一份预付余额，畅用所有图像与文本模型。",
  },
  "account.signup.submit": { en: "Create account", "zh-CN": "注册" },
  "account.signup.passwordHint": { en: "At least 8 characters.", "zh-CN": "至少 8 个字符。" },
  "account.signup.haveAccount": { en: "Already have an account?", "zh-CN": "已有账户？" },
  "account.signup.toLogin": { en: "Log in", "zh-CN": "去登录" },
  "account.signup.refused": {
    en:
      "We could not create an account with these details. If you already have an account, log in instead.",
    "zh-CN": "无法使用这些信息创建账户。如果你已有账户，请直接登录。",
  },
  "account.signup.badEmail": {
    en: "Enter a valid email address, like name@example.com.",
    "zh-CN": "请输入有效的邮箱地址，例如 name@example.com。",
  },
  "account.signup.shortPassword": {
    en: "Use at least 8 characters for your password.",
    "zh-CN": "密码至少需要 8 个字符。",
  },
  "account.signup.longPassword": {
    en: "That password is too long: 1,024 characters at most.",
    "zh-CN": "密码过长，最多 1024 个字符。",
  },
});
