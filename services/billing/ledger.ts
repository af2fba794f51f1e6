// The ledger: every movement of money is a double-entry transfer between two accounts, in
// integer micro-dollars, modelled on TigerBeetle.
//
//   top-up   top-up clearing → customer      posted at once
//   hold     customer → revenue              pending: counts against the customer's available
//                                            money until it is resolved, exactly once, by
//   settle   customer → revenue              posting the actual amount (≤ held; the rest is freed)
//   release  customer → revenue              voiding it (a failure, a blocked prompt)
//   expire   customer → revenue              voiding it after its deadline (the sweeper)
//   refund   revenue → customer              posted: gives back all or part of a call's charge
//                                            (request_id names the call)
//
// A customer account keeps four running totals; its available money is
// credits_posted − debits_posted − debits_pending, and the funds check is a guarded UPDATE, so no
// race can take it below zero. API keys with a spend limit carry the same guard (keys without
// one are never written by a call).
// Rows are locked in one order everywhere: the open holds being resolved (each has one resolver),
// then accounts (ascending), then API keys.
// Every function takes the pool or a transaction it joins: the caller writes its own records (the
// request log) in the same commit as the money.
//
// Holds and their resolutions all go through one SQL function, ledger_post (migrations/0006),
// which takes many at once: a group commit (services/billing/group_commit.ts) posts the ledger part of
// every call in the group in one set-based statement. A refused hold, and the resolution of a hold
// that is no longer open, are answers rather than errors, so no item undoes another.
import { type Db, inTransaction, type Sql, type Tx } from "../platform/database.ts";
import type { Micros } from "./money.ts";
import { newId } from "../platform/ids.ts";

export type LedgerErrorCode =
  | "insufficient_funds"
  | "spend_limit_exceeded"
  | "hold_not_open"
  | "transfer_exists_with_different_fields"
  | "invalid_amount"
  | "unknown_account"
  | "not_all_succeeded"
  | "nothing_to_refund";

export class LedgerError extends Error {
  constructor(readonly code: LedgerErrorCode, message: string) {
    super(message);
    this.name = "LedgerError";
  }
}

export type TransferKind = "topup" | "hold" | "settle" | "release" | "expire" | "refund";

/** The house accounts, created with these ids by the first migration. */
export const REVENUE_ACCOUNT = 1n;
export const TOPUP_CLEARING_ACCOUNT = 2n;

export interface Transfer {
  id: string;
  kind: TransferKind;
  debitAccountId: bigint;
  creditAccountId: bigint;
  amount: Micros;
  pendingId: string | null;
  deadline: Date | null;
  requestId: string | null;
  apiKeyId: bigint | null;
  note: string | null;
  createdAt: Date;
}

export interface Balance {
  /** Money the customer has: credits posted − debits posted. */
  posted: Micros;
  /** Money promised to calls still in flight. */
  pending: Micros;
  /** What a new call may hold: posted − pending. Never negative. */
  available: Micros;
}

/** Opens the customer account for a new user; call inside the transaction that creates it. */
export async function openCustomerAccount(db: Db, userId: bigint): Promise<bigint> {
  const [row] = await db<{ id: bigint }[]>`
    insert into ledger_accounts (kind, user_id) values ('customer', ${userId}) returning id`;
  return row.id;
}

export async function balanceOf(db: Db, accountId: bigint): Promise<Balance> {
  const [row] = await db<{ posted: bigint; pending: bigint }[]>`
    select credits_posted - debits_posted as posted, debits_pending as pending
    from ledger_accounts where id = ${accountId} and kind = 'customer'`;
  if (!row) throw new LedgerError("unknown_account", `no customer account ${accountId}`);
  return { posted: row.posted, pending: row.pending, available: row.posted - row.pending };
}

/** Adds money to a customer account from outside (a payment, a grant). */
export async function topUp(
  db: Db,
  input: { id: string; accountId: bigint; amount: Micros; note?: string },
): Promise<Transfer> {
  assertPositive(input.amount);
  return await inTransaction(db, async (tx) => {
    const { transfer, created } = await insertTransfer(tx, {
      id: input.id,
      kind: "topup",
      debitAccountId: TOPUP_CLEARING_ACCOUNT,
      creditAccountId: input.accountId,
      amount: input.amount,
      note: input.note ?? null,
    });
    if (created) {
      const updated = await tx`
        update ledger_accounts set credits_posted = credits_posted + ${input.amount}
        where id = ${input.accountId} and kind = 'customer' returning id`;
      if (updated.length === 0) {
        throw new LedgerError("unknown_account", `no customer account ${input.accountId}`);
      }
    }
    return transfer;
  });
}

/**
 * Gives back `amount` of a call's charge (by default all that is not given back yet), as a posted
 * transfer naming the call. A call's refunds never add up to more than its charge: the account's
 * row is locked first, so two refunds of one call are judged one after the other.
 */
export async function refund(
  db: Db,
  input: { id: string; requestId: string; amount?: Micros | null; note?: string | null },
): Promise<Transfer> {
  if (input.amount != null) assertPositive(input.amount);
  return await inTransaction(db, async (tx) => {
    const [charge] = await tx<{ accountId: bigint; charged: bigint }[]>`
      select s.debit_account_id as "accountId", s.amount as charged
      from request_log r join ledger_transfers s on s.id = r.charge_id and s.kind = 'settle'
      where r.request_id = ${input.requestId}`;
    if (!charge) {
      throw new LedgerError("nothing_to_refund", `call ${input.requestId} has no charge`);
    }
    const existing = await findTransfer(tx, input.id);
    if (existing) {
      return sameOrConflict(existing, {
        kind: "refund",
        amount: input.amount,
        creditAccountId: charge.accountId,
      });
    }
    await tx`select id from ledger_accounts where id = ${charge.accountId} for update`;
    const [{ refunded }] = await tx<{ refunded: bigint }[]>`
      select coalesce(sum(amount), 0)::bigint as refunded from ledger_transfers
      where credit_account_id = ${charge.accountId} and kind = 'refund'
        and request_id = ${input.requestId}`;
    const left = charge.charged - refunded;
    const amount = input.amount ?? left;
    if (left <= 0n || amount > left) {
      throw new LedgerError(
        "nothing_to_refund",
        `call ${input.requestId} was charged ${charge.charged} micro-dollars, of which ${left} can still be refunded`,
      );
    }
    const { transfer } = await insertTransfer(tx, {
      id: input.id,
      kind: "refund",
      debitAccountId: REVENUE_ACCOUNT,
      creditAccountId: charge.accountId,
      amount,
      note: input.note ?? null,
      requestId: input.requestId,
    });
    await tx`update ledger_accounts set credits_posted = credits_posted + ${amount}
             where id = ${charge.accountId}`;
    return transfer;
  });
}

export interface HoldInput {
  id: string;
  accountId: bigint;
  amount: Micros;
  timeoutSeconds: number;
  requestId: string;
  apiKeyId?: bigint | null;
  /** The key has a spend limit: the hold counts against it too. */
  keyHasSpendLimit?: boolean;
}

export type HoldRefusal = "insufficient_funds" | "spend_limit_exceeded";
export type HoldAnswer =
  | { held: Transfer; refusal?: never }
  | { held?: never; refusal: HoldRefusal };

/** Resolves a hold exactly once: a settle posts `amount` (0 < amount ≤ held) and frees the rest;
 *  a release or an expire voids it. */
export interface Resolution {
  id: string;
  holdId: string;
  kind: "settle" | "release" | "expire";
  /** A settle's posted amount; null for a void. */
  amount: Micros | null;
  note?: string | null;
}

/** `notOpen`: the hold was resolved already (expired, most likely), or never existed. */
export type ResolutionAnswer =
  | { resolved: Transfer; notOpen?: never }
  | { resolved?: never; notOpen: true };

/** Each item's answer in order, or the LedgerError of a retry naming a transfer that exists
 *  with other fields (which wrote nothing). */
export interface PostAnswers {
  holds: (HoldAnswer | LedgerError)[];
  resolutions: (ResolutionAnswer | LedgerError)[];
}

/**
 * Posts many holds and resolutions in one statement (ledger_post, migrations/0006): a group
 * commit's whole ledger part. Refusals and holds that are not open are answers, so one item never
 * undoes another; resolutions run first, so the money they free is there for the holds.
 */
export async function post(
  db: Db,
  holds: HoldInput[],
  resolutions: Resolution[],
): Promise<PostAnswers> {
  const rows = await ledgerStatement<PostRow>(postStatement(db, holds, resolutions));
  return readPost(rows, holds, resolutions);
}

/**
 * post, all or nothing: unless every item is new and succeeds (no refusal, no hold that is not
 * open, no retry), it fails with LedgerError "not_all_succeeded" and the transaction is spoilt.
 * Returns the statement unsent, so the caller can send what follows success, and COMMIT, right
 * behind it (services/billing/group_commit.ts).
 */
export function postAllOrNothing(db: Db, holds: HoldInput[], resolutions: Resolution[]) {
  return postStatement(db, holds, resolutions, true);
}

function postStatement(
  db: Db,
  holds: HoldInput[],
  resolutions: Resolution[],
  allOrNothing = false,
): PendingQuery {
  for (const h of holds) assertPositive(h.amount);
  for (const r of resolutions) if (r.kind === "settle") assertPositive(r.amount ?? 0n);
  // One array per field, in item order, sent as text and cast in the statement.
  const field = <T>(items: T[], value: (item: T) => unknown) =>
    db.array(items.map((item) => {
      const v = value(item);
      return v == null ? null : String(v);
    }));
  return db`
    select side, item, created, refusal, ${transferColumns(db)}
    from ledger_post(
      ${field(holds, (h) => h.id)}::uuid[],
      ${field(holds, (h) => h.accountId)}::bigint[],
      ${field(holds, (h) => h.amount)}::bigint[],
      ${field(holds, (h) => h.timeoutSeconds)}::float8[],
      ${field(holds, (h) => h.requestId)}::text[],
      ${field(holds, (h) => h.apiKeyId)}::bigint[],
      ${field(holds, (h) => h.apiKeyId != null && (h.keyHasSpendLimit ?? false))}::boolean[],
      ${field(resolutions, (r) => r.id)}::uuid[],
      ${field(resolutions, (r) => r.holdId)}::uuid[],
      ${field(resolutions, (r) => r.kind)}::text[],
      ${field(resolutions, (r) => r.kind === "settle" ? r.amount : null)}::bigint[],
      ${field(resolutions, (r) => r.note)}::text[],
      ${allOrNothing})`;
}

function readPost(rows: PostRow[], holds: HoldInput[], resolutions: Resolution[]): PostAnswers {
  const answers: PostAnswers = { holds: [], resolutions: [] };
  for (const { side, item, created, refusal, ...transfer } of rows) {
    if (side === "hold") {
      const input = holds[item - 1];
      answers.holds[item - 1] = refusal
        ? { refusal: refusal as HoldRefusal }
        : created
        ? { held: transfer }
        : answerOrConflict(() => ({ held: sameOrConflict(transfer, holdFields(input)) }));
    } else {
      const input = resolutions[item - 1];
      answers.resolutions[item - 1] = refusal
        ? { notOpen: true }
        : created
        ? { resolved: transfer }
        : answerOrConflict(() => ({ resolved: sameOrConflict(transfer, input) }));
    }
  }
  return answers;
}

type PostRow = Transfer & {
  side: "hold" | "resolution";
  item: number;
  created: boolean;
  refusal: string | null;
};

function answerOrConflict<T>(answer: () => T): T | LedgerError {
  try {
    return answer();
  } catch (error) {
    if (error instanceof LedgerError) return error;
    throw error;
  }
}

function holdFields(input: HoldInput) {
  return {
    kind: "hold" as const,
    amount: input.amount,
    debitAccountId: input.accountId,
    creditAccountId: REVENUE_ACCOUNT,
  };
}

/**
 * Reserves `amount` before an upstream call, or answers why not: `insufficient_funds` when the
 * account's available money is short, `spend_limit_exceeded` when the key's limit would be
 * passed; then nothing is written. A hold not resolved within `timeoutSeconds` (by the
 * database's clock, which the sweeper also reads) is expired by the sweeper.
 */
export async function tryHold(db: Db, input: HoldInput): Promise<HoldAnswer> {
  let answer: HoldAnswer | LedgerError;
  try {
    [answer] = (await post(db, [input], [])).holds;
  } catch (error) {
    // The same hold sent twice at once: the second fails on the primary key once the first is in.
    const racedRetry = (error as { code?: string }).code === "23505" && !("savepoint" in db) &&
      await findTransfer(db, input.id);
    if (!racedRetry) throw error;
    answer = { held: sameOrConflict(racedRetry, holdFields(input)) };
  }
  if (answer instanceof LedgerError) throw answer;
  return answer;
}

/** tryHold, with a refusal thrown as a LedgerError. */
export async function hold(db: Db, input: HoldInput): Promise<Transfer> {
  const { held, refusal } = await tryHold(db, input);
  if (refusal) {
    throw new LedgerError(
      refusal,
      refusal === "insufficient_funds"
        ? "the balance does not cover this request"
        : "this API key has reached its spend limit",
    );
  }
  return held;
}

/** Posts `amount` (0 < amount ≤ held) of a hold and frees the rest. */
export async function settle(
  db: Db,
  input: { id: string; holdId: string; amount: Micros; note?: string },
): Promise<Transfer> {
  assertPositive(input.amount);
  return await resolveHold(db, { ...input, kind: "settle" });
}

/** Voids a hold: nothing is charged. */
export async function release(
  db: Db,
  input: { id: string; holdId: string; note?: string },
): Promise<Transfer> {
  return await resolveHold(db, { ...input, kind: "release", amount: null });
}

/**
 * Expires every hold past its deadline; returns the ids of the holds it released. `onExpire`
 * runs in each expire's own transaction, so what it records commits with the money or not at all.
 */
export async function releaseExpiredHolds(
  sql: Sql,
  options: { batch?: number; onExpire?: (tx: Tx, holdId: string) => Promise<void> } = {},
): Promise<string[]> {
  const expired = await sql<{ transferId: string }[]>`
    select transfer_id as "transferId" from ledger_open_holds
    where deadline < now() order by deadline limit ${options.batch ?? 500}`;
  const released: string[] = [];
  for (const { transferId } of expired) {
    try {
      await sql.begin(async (tx) => {
        await resolveHold(tx, {
          id: newId(),
          holdId: transferId,
          kind: "expire",
          amount: null,
          note: "deadline passed",
        });
        await options.onExpire?.(tx, transferId);
      });
      released.push(transferId);
    } catch (error) {
      // Resolved by its own request meanwhile: nothing to do.
      if (!(error instanceof LedgerError && error.code === "hold_not_open")) throw error;
    }
  }
  return released;
}

/** Runs releaseExpiredHolds every `intervalMs` inside the server. */
export function startHoldSweeper(
  sql: Sql,
  options: {
    intervalMs: number;
    onExpire?: (tx: Tx, holdId: string) => Promise<void>;
    onError?: (error: unknown) => void;
  },
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let failing = false;
  const timer = setInterval(() => {
    running = running
      .then(() => releaseExpiredHolds(sql, { onExpire: options.onExpire }))
      .then(() => {
        if (failing) console.warn("hold sweeper: working again");
        failing = false;
      }, (error) => {
        // While the database is away every sweep fails: said once, not every interval.
        if (options.onError) options.onError(error);
        else if (!failing) console.error("hold sweeper: failing, trying every interval:", error);
        failing = true;
      });
  }, options.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

async function resolveHold(db: Db, input: Resolution): Promise<Transfer> {
  const [answer] = (await post(db, [], [input])).resolutions;
  if (answer instanceof LedgerError) throw answer;
  if (answer.resolved) return answer.resolved;
  // A retry with the same id racing its original: once that one commits, we match it (only
  // outside a transaction: inside one, the original's commit is not visible).
  const racedRetry = !("savepoint" in db) && await findTransfer(db, input.id);
  if (racedRetry) return sameOrConflict(racedRetry, input);
  throw new LedgerError(
    "hold_not_open",
    `hold ${input.holdId} is not open (resolved already, or unknown)`,
  );
}

type PendingQuery = ReturnType<Db["unsafe"]>;

const LEDGER_ERRORS: Record<string, LedgerErrorCode> = {
  TS004: "invalid_amount",
  TS005: "not_all_succeeded",
};

/** Runs a select from a ledger function, with its raised errors as LedgerErrors. */
async function ledgerStatement<T>(call: PendingQuery): Promise<T[]> {
  try {
    return await call as unknown as T[];
  } catch (error) {
    throw asLedgerError(error);
  }
}

/** A ledger function's raised error as a LedgerError; any other error as it is. */
export function asLedgerError(error: unknown): unknown {
  const code = LEDGER_ERRORS[(error as { code?: string })?.code ?? ""];
  return code ? new LedgerError(code, (error as Error).message) : error;
}

/** Inserts a posted transfer (a top-up, a refund), or recognises a retry of one with the same id
 *  and fields. */
async function insertTransfer(
  tx: Tx,
  t: Pick<Transfer, "id" | "kind" | "debitAccountId" | "creditAccountId" | "amount" | "note"> & {
    requestId?: string;
  },
): Promise<{ transfer: Transfer; created: boolean }> {
  const [inserted] = await tx<Transfer[]>`
    insert into ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, note,
      request_id)
    values (${t.id}, ${t.kind}, ${t.debitAccountId}, ${t.creditAccountId}, ${t.amount}, ${t.note},
      ${t.requestId ?? null})
    on conflict (id) do nothing
    returning ${transferColumns(tx)}`;
  if (inserted) return { transfer: inserted, created: true };
  const existing = await findTransfer(tx, t.id);
  if (!existing) throw new Error(`transfer ${t.id} conflicted but cannot be read`);
  return { transfer: sameOrConflict(existing, t), created: false };
}

/**
 * A retry must describe the same transfer: same kind, and every field the retry states equal to
 * the stored one. A void (release, expire) states no amount: it always frees what was held.
 */
function sameOrConflict(
  existing: Transfer,
  retry: {
    kind: TransferKind;
    amount?: Micros | null;
    debitAccountId?: bigint;
    creditAccountId?: bigint;
    holdId?: string;
  },
): Transfer {
  const pendingId = retry.holdId ?? null;
  const differs = existing.kind !== retry.kind ||
    (retry.amount != null && existing.amount !== retry.amount) ||
    (retry.debitAccountId !== undefined && existing.debitAccountId !== retry.debitAccountId) ||
    (retry.creditAccountId !== undefined && existing.creditAccountId !== retry.creditAccountId) ||
    existing.pendingId !== pendingId;
  if (differs) {
    throw new LedgerError(
      "transfer_exists_with_different_fields",
      `transfer ${existing.id} exists with different fields`,
    );
  }
  return existing;
}

async function findTransfer(db: Db, id: string): Promise<Transfer | null> {
  const [row] = await db<Transfer[]>`
    select ${transferColumns(db)} from ledger_transfers where id = ${id}`;
  return row ?? null;
}

function transferColumns(db: Db) {
  return db.unsafe(
    `id, kind, debit_account_id as "debitAccountId", credit_account_id as "creditAccountId",
    amount, pending_id as "pendingId", deadline, request_id as "requestId", api_key_id as "apiKeyId",
    note, created_at as "createdAt"`,
  );
}

function assertPositive(amount: Micros) {
  if (typeof amount !== "bigint" || amount <= 0n) {
    throw new LedgerError(
      "invalid_amount",
      `amount must be a positive bigint of micro-dollars, got ${amount}`,
    );
  }
}
