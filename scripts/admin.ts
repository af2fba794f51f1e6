// Operator commands: `deno task admin <command> [--flag value …]`. Each prints what it did,
// refuses bad input with one clear line and exit code 2, and works against the same database
// as the server, running or not (with the embedded default it joins the server's PostgreSQL).
import { parseArgs } from "node:util";
import { z } from "zod";
import { type Config, demoSetting, loadConfigOrExit } from "../services/platform/config.ts";
import { openDatabase, type Sql } from "../services/platform/database.ts";
import { migrate } from "../services/platform/migrations.ts";
import {
  AccountError,
  createUser,
  emailSchema,
  passwordSchema,
  requireUserByEmail,
} from "../services/accounts/users.ts";
import {
  createApiKey,
  findApiKeys,
  listApiKeys,
  revokeApiKey,
} from "../services/accounts/api_keys.ts";
import { balanceOf, LedgerError, refund, topUp } from "../services/billing/ledger.ts";
import { closeMonth, InvoiceError, monthSchema } from "../services/billing/invoices.ts";
import { checkLedger, overdueHolds } from "../services/billing/ledger_check.ts";
import { formatUsd, parseUsd } from "../services/billing/money.ts";
import { hex, sha256 } from "../services/platform/sha256.ts";
import { newId } from "../services/platform/ids.ts";
import {
  addTextModel,
  catalog,
  listImagePrices,
  listTextPrices,
  NAMED_SIZES,
  QUALITIES,
  setImagePrice,
  setTextPrice,
} from "../services/billing/pricing.ts";
import {
  addChannel,
  ChannelError,
  listChannels,
  modelsForDemo,
  setChannelEnabled,
} from "../services/catalog/channels.ts";

/** A refusal: printed as one line, exit code 2, nothing changed. */
export class UsageError extends Error {}

const usd = z.string().transform((text, ctx) => {
  try {
    return parseUsd(text);
  } catch {
    ctx.addIssue({
      code: "custom",
      message: `not a USD amount: ${JSON.stringify(text)} (use e.g. 12.50)`,
    });
    return z.NEVER;
  }
});

interface Command {
  usage: string;
  flags: Record<string, z.ZodType>;
  run(sql: Sql, flags: Record<string, unknown>, config: Config): Promise<string[]>;
}

export const commands: Record<string, Command> = {
  "user:create": {
    usage: "--email E --password P",
    flags: { email: emailSchema, password: passwordSchema },
    async run(sql, f) {
      const user = await createUser(sql, {
        email: f.email as string,
        password: f.password as string,
      });
      return [`created user ${user.email} (id ${user.id}, ledger account ${user.accountId})`];
    },
  },
  topup: {
    usage: "--email E --usd 12.50 [--reference R]   (the same reference twice tops up once)",
    flags: {
      email: emailSchema,
      usd: usd.refine((amount) => amount > 0n, "must be more than 0"),
      reference: z.string().min(1).max(200).optional(),
    },
    async run(sql, f) {
      const user = await requireUserByEmail(sql, f.email as string);
      const reference = f.reference as string | undefined;
      const transfer = await topUp(sql, {
        id: reference ? uuidFrom(`topup:${user.id}:${reference}`) : newId(),
        accountId: user.accountId,
        amount: f.usd as bigint,
        note: reference ?? "admin top-up",
      });
      const balance = await balanceOf(sql, user.accountId);
      return [
        `topped up ${user.email} with ${formatUsd(transfer.amount)} USD (transfer ${transfer.id})`,
        `available balance: ${formatUsd(balance.available)} USD`,
      ];
    },
  },
  refund: {
    usage:
      "--request req_… [--usd X] [--reference R] [--reason TEXT]   (all of the call's charge not refunded yet, unless --usd)",
    flags: {
      request: z.string().regex(/^req_[0-9a-f]{32}$/, "a request id like req_0196…"),
      usd: usd.refine((amount) => amount > 0n, "must be more than 0").optional(),
      reference: z.string().min(1).max(200).optional(),
      reason: z.string().min(1).max(500).optional(),
    },
    async run(sql, f) {
      const requestId = f.request as string;
      const reference = f.reference as string | undefined;
      const transfer = await refund(sql, {
        id: reference ? uuidFrom(`refund:${requestId}:${reference}`) : newId(),
        requestId,
        amount: (f.usd as bigint | undefined) ?? null,
        note: (f.reason as string | undefined) ?? reference ?? "refund",
      });
      return [
        `refunded ${
          formatUsd(transfer.amount)
        } USD of ${requestId} to ledger account ${transfer.creditAccountId} (transfer ${transfer.id}); it is on the invoice of the month open now`,
      ];
    },
  },
  "invoice:close": {
    usage:
      "--month YYYY-MM   (every account whose money moved in it; running it again changes nothing)",
    flags: { month: monthSchema },
    async run(sql, f) {
      const closed = await closeMonth(sql, f.month as string, {
        onWaiting: (pids) =>
          console.error(
            `waiting for transactions begun before the cutoff to end (pids ${pids.join(", ")})…`,
          ),
      });
      const { period } = closed;
      const lines = [
        `${period.month} ${closed.closedNow ? "closed now" : "was closed already"} (${
          period.closedAt!.toISOString()
        }): transfers from ${period.startsAt.toISOString()} until ${period.endsAt.toISOString()}`,
        ...closed.invoices.map((i) =>
          `${i.number}  ledger account ${i.accountId}  opening ${
            formatUsd(i.totals.openingBalance)
          }  top-ups ${formatUsd(i.totals.topUps)}  refunds ${
            formatUsd(i.totals.refunds)
          }  charges ${formatUsd(i.totals.charges)}  closing ${formatUsd(i.totals.closingBalance)}`
        ),
      ];
      lines.push(`${closed.invoices.length} invoice(s)`);
      return lines;
    },
  },
  "key:create": {
    usage: "--email E [--name N] [--limit-usd X]",
    flags: {
      email: emailSchema,
      name: z.string().max(100).optional(),
      "limit-usd": usd.optional(),
    },
    async run(sql, f) {
      const user = await requireUserByEmail(sql, f.email as string);
      const { key, apiKey } = await createApiKey(sql, {
        userId: user.id,
        name: (f.name as string | undefined) ?? "",
        spendLimit: (f["limit-usd"] as bigint | undefined) ?? null,
      });
      const limit = apiKey.spendLimit === null
        ? "no spend limit"
        : `spend limit ${formatUsd(apiKey.spendLimit)} USD`;
      return [
        `created API key ${apiKey.prefix}… "${apiKey.name}" for ${user.email}, ${limit}; it is shown only now:`,
        key,
      ];
    },
  },
  "key:list": {
    usage: "--email E",
    flags: { email: emailSchema },
    async run(sql, f) {
      const user = await requireUserByEmail(sql, f.email as string);
      const keys = await listApiKeys(sql, user.id);
      if (keys.length === 0) return [`${user.email} has no API keys`];
      return keys.map((k) =>
        [
          k.prefix + "…",
          JSON.stringify(k.name),
          k.revokedAt ? "revoked" : "active",
          `spent ${formatUsd(k.spent)}`,
          k.spendLimit === null ? "no limit" : `limit ${formatUsd(k.spendLimit)}`,
          `created ${k.createdAt.toISOString()}`,
          `last used ${k.lastUsedAt?.toISOString() ?? "never"}`,
        ].join("  ")
      );
    },
  },
  "key:revoke": {
    usage: "--key K | --prefix P",
    flags: { key: z.string().min(1).optional(), prefix: z.string().min(1).optional() },
    async run(sql, f) {
      const needle = (f.key ?? f.prefix) as string | undefined;
      if (!needle || (f.key && f.prefix)) {
        throw new UsageError("give exactly one of --key or --prefix");
      }
      const found = await findApiKeys(sql, needle.replace(/…$/, ""));
      if (found.length === 0) throw new UsageError(`no API key matches ${needle}`);
      if (found.length > 1) {
        throw new UsageError(
          `${found.length} keys share the prefix ${needle}; revoke with --key instead`,
        );
      }
      const revoked = await revokeApiKey(sql, found[0].id);
      return [
        revoked
          ? `revoked API key ${found[0].prefix}…`
          : `API key ${found[0].prefix}… was revoked already`,
      ];
    },
  },
  balance: {
    usage: "--email E",
    flags: { email: emailSchema },
    async run(sql, f) {
      const user = await requireUserByEmail(sql, f.email as string);
      const balance = await balanceOf(sql, user.accountId);
      // The last line is the available balance alone, for scripts.
      return [
        `${user.email}: posted ${formatUsd(balance.posted)} USD, held by calls in flight ${
          formatUsd(balance.pending)
        } USD; available:`,
        formatUsd(balance.available),
      ];
    },
  },
  "price:set": {
    usage:
      `--model M (--size ${NAMED_SIZES.join("|")} --quality ${
        QUALITIES.join("|")
      } --usd X | --input-usd-per-mtok X --output-usd-per-mtok Y [--cached-input-usd-per-mtok Z] ` +
      `[--cache-write-usd-per-mtok W] [--max-output-tokens N] [--owned-by O])`,
    flags: {
      model: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/, "a model id like gpt-5.1"),
      size: z.enum(NAMED_SIZES).optional(),
      quality: z.enum(QUALITIES).optional(),
      usd: usd.refine((amount) => amount > 0n, "must be more than 0").optional(),
      "input-usd-per-mtok": usd.optional(),
      "output-usd-per-mtok": usd.optional(),
      "cached-input-usd-per-mtok": usd.optional(),
      "cache-write-usd-per-mtok": usd.optional(),
      "max-output-tokens": z.coerce.number().int().min(1).max(10_000_000).optional(),
      "owned-by": z.string().regex(/^[a-z0-9-]{1,40}$/).optional(),
    },
    async run(sql, f) {
      const perToken = f["input-usd-per-mtok"] !== undefined ||
        f["output-usd-per-mtok"] !== undefined;
      if (perToken === (f.size !== undefined || f.quality !== undefined || f.usd !== undefined)) {
        throw new UsageError(
          "give either --size, --quality and --usd (an image model) or --input-usd-per-mtok and " +
            "--output-usd-per-mtok (a text model)",
        );
      }
      return perToken ? await setTextModelPrice(sql, f) : await setImageModelPrice(sql, f);
    },
  },
  "price:list": {
    usage: "",
    flags: {},
    async run(sql) {
      const images = (await listImagePrices(sql)).map((p) =>
        `${p.model.padEnd(22)} ${p.size.padEnd(10)} ${p.quality.padEnd(7)} ${
          formatUsd(p.price)
        } USD per image  (since ${p.validFrom.toISOString()})`
      );
      const texts = (await listTextPrices(sql)).map((p) =>
        `${p.model.padEnd(22)} per million tokens: input ${formatUsd(p.inputPerMtok)}, cached ${
          formatUsd(p.cachedInputPerMtok)
        }${p.cacheWritePerMtok === null ? "" : `, cache write ${formatUsd(p.cacheWritePerMtok)}`}` +
        `, output ${formatUsd(p.outputPerMtok)} USD  (since ${p.validFrom.toISOString()})`
      );
      return [...images, ...texts];
    },
  },
  "channel:add": {
    usage:
      "--name N --provider openai|anthropic|gemini --base-url URL --api-key K --models m1,m2 [--priority P] [--timeout-ms T]",
    flags: {
      name: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/i, "letters, digits, '.', '_' or '-'"),
      provider: z.enum(["openai", "anthropic", "gemini"]),
      "base-url": z.url({ protocol: /^https?$/ }),
      "api-key": z.string().min(1),
      models: z.string().transform((list) => list.split(",").map((m) => m.trim()).filter(Boolean))
        .refine((list) => list.length > 0, "name at least one model"),
      priority: z.coerce.number().int().min(-1_000_000).max(1_000_000).default(0),
      "timeout-ms": z.coerce.number().int().min(1_000).max(600_000).default(120_000),
    },
    async run(sql, f) {
      const channel = await addChannel(sql, {
        name: f.name as string,
        provider: f.provider as "openai" | "anthropic" | "gemini",
        baseUrl: f["base-url"] as string,
        apiKey: f["api-key"] as string,
        models: f.models as string[],
        priority: f.priority as number,
        timeoutMs: f["timeout-ms"] as number,
      });
      return [
        `added channel ${channel.name} (${channel.provider}, ${channel.baseUrl}) for ${
          channel.models.join(", ")
        } at priority ${channel.priority}`,
      ];
    },
  },
  "channel:list": {
    usage: "",
    flags: {},
    async run(sql, _flags, config) {
      const lines = (await listChannels(sql)).filter((c) => c.provider !== "demo").map((c) =>
        [
          c.name.padEnd(16),
          c.provider.padEnd(7),
          `priority ${c.priority}`,
          c.enabled ? "enabled " : "disabled",
          c.baseUrl,
          c.models.join(","),
          `key ${c.apiKey ? `${c.apiKey.slice(0, 6)}…` : "-"}`,
        ].join("  ")
      );
      // The demo is each server's own setting: this says what it is with this command's.
      const demo = demoSetting(config);
      const models = await modelsForDemo(sql);
      lines.push(
        `demo (built-in): paints and writes offline, only while DEMO=on, the models with no enabled ` +
          `real channel (now: ${models.join(", ") || "none"}); currently: ${
            demo.on ? "on" : "off"
          } (${demo.because})`,
      );
      return lines;
    },
  },
  "channel:disable": switchChannel(false),
  "channel:enable": switchChannel(true),
  "ledger:check": {
    usage: "",
    flags: {},
    async run(sql) {
      const results = await checkLedger(sql);
      const lines = results.map((r) =>
        `${r.ok ? "ok  " : "FAIL"}  ${r.name}${
          r.ok ? "" : `: ${JSON.stringify(r.violations, bigintJson)}`
        }`
      );
      const overdue = await overdueHolds(sql);
      if (overdue) {
        lines.push(
          `note  ${overdue} hold(s) past their deadline await the sweeper (released once the server runs)`,
        );
      }
      if (results.some((r) => !r.ok)) throw new LedgerCheckFailed(lines.join("\n"));
      lines.push("ledger check passed");
      return lines;
    },
  },
};

async function setImageModelPrice(sql: Sql, f: Record<string, unknown>): Promise<string[]> {
  if (!f.size || !f.quality || f.usd === undefined) {
    throw new UsageError("an image price needs --size, --quality and --usd");
  }
  const model = (await catalog(sql)).models.get(f.model as string);
  if (!model || model.kind !== "image") throw new UsageError(`no image model ${f.model}`);
  await setImagePrice(sql, {
    model: model.id,
    size: f.size as typeof NAMED_SIZES[number],
    quality: f.quality as typeof QUALITIES[number],
    price: f.usd as bigint,
  });
  return [
    `${model.id} ${f.size} ${f.quality}: ${
      formatUsd(f.usd as bigint)
    } USD per image from now on (servers pick it up within 5 s)`,
  ];
}

/** A text model's rates; a model the catalogue does not know yet is added with them. */
async function setTextModelPrice(sql: Sql, f: Record<string, unknown>): Promise<string[]> {
  const input = f["input-usd-per-mtok"] as bigint | undefined;
  const output = f["output-usd-per-mtok"] as bigint | undefined;
  if (input === undefined || output === undefined) {
    throw new UsageError("a text price needs --input-usd-per-mtok and --output-usd-per-mtok");
  }
  const id = f.model as string;
  const known = (await catalog(sql)).models.get(id);
  if (known && known.kind !== "text") throw new UsageError(`${id} is an image model`);
  const lines: string[] = [];
  if (!known) {
    const maxOutputTokens = f["max-output-tokens"] as number | undefined;
    if (!maxOutputTokens) {
      throw new UsageError(
        `${id} is a new model: give --max-output-tokens (the most one answer can have; it bounds the hold)`,
      );
    }
    await addTextModel(sql, {
      id,
      ownedBy: (f["owned-by"] as string) ?? "tokensmart",
      maxOutputTokens,
    });
    lines.push(`added text model ${id} (answers up to ${maxOutputTokens} tokens)`);
  }
  const price = {
    inputPerMtok: input,
    cachedInputPerMtok: (f["cached-input-usd-per-mtok"] as bigint | undefined) ?? input,
    cacheWritePerMtok: (f["cache-write-usd-per-mtok"] as bigint | undefined) ?? null,
    outputPerMtok: output,
  };
  await setTextPrice(sql, { model: id, ...price });
  lines.push(
    `${id}: per million tokens input ${formatUsd(price.inputPerMtok)}, cached ${
      formatUsd(price.cachedInputPerMtok)
    }, cache write ${formatUsd(price.cacheWritePerMtok ?? price.inputPerMtok)}, output ${
      formatUsd(price.outputPerMtok)
    } USD from now on (servers pick it up within 5 s)`,
  );
  return lines;
}

function switchChannel(enabled: boolean): Command {
  const done = enabled ? "enabled" : "disabled";
  return {
    usage: "--name N",
    flags: { name: z.string().min(1) },
    async run(sql, f) {
      const changed = await setChannelEnabled(sql, f.name as string, enabled);
      return [changed ? `${done} channel ${f.name}` : `channel ${f.name} was ${done} already`];
    },
  };
}

class LedgerCheckFailed extends Error {}

const bigintJson = (
  _: string,
  value: unknown,
) => (typeof value === "bigint" ? value.toString() : value);

function uuidFrom(text: string): string {
  const bytes = sha256(text).slice(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5-style, name-based
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Parses and validates `--flag value` pairs for a command; throws UsageError. */
export function parseFlags(
  command: Command,
  name: string,
  args: string[],
): Record<string, unknown> {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args,
      options: Object.fromEntries(
        Object.keys(command.flags).map((flag) => [flag, { type: "string" as const }]),
      ),
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(
      `${(error as Error).message.split("\n")[0]}\nusage: deno task admin ${name} ${command.usage}`,
    );
  }
  const parsed = z.object(command.flags).strict().safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = String(issue.path[0] ?? "");
    const what = issue.code === "invalid_type" && values[flag] === undefined
      ? "is required"
      : issue.message;
    throw new UsageError(`--${flag} ${what}\nusage: deno task admin ${name} ${command.usage}`);
  }
  return parsed.data;
}

export async function runAdmin(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(name ? `unknown command: ${name}` : "usage: deno task admin <command> [flags]");
    console.error(
      "commands:\n" + Object.entries(commands).map(([n, c]) => `  ${n} ${c.usage}`).join("\n"),
    );
    return 2;
  }
  let flags: Record<string, unknown>;
  try {
    flags = parseFlags(command, name, rest);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const config = loadConfigOrExit();
  const db = await openDatabase(config);
  try {
    await migrate(db.sql);
    for (const line of await command.run(db.sql, flags, config)) console.log(line);
    return 0;
  } catch (error) {
    const refused = error instanceof UsageError || error instanceof AccountError ||
      error instanceof ChannelError || error instanceof InvoiceError ||
      (error instanceof LedgerError && error.code === "nothing_to_refund") ||
      // e.g. a top-up --reference reused with another amount
      (error instanceof LedgerError && error.code === "transfer_exists_with_different_fields");
    if (refused) {
      console.error(error.message);
      return 2;
    }
    if (error instanceof LedgerCheckFailed) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await db.close();
  }
}

if (import.meta.main) Deno.exit(await runAdmin(Deno.args));
