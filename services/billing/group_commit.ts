// Group commit: the writes of calls that arrive together share one transaction, and each kind of
// write is one set-based statement for the whole group.
//
// Every billed call writes twice (its hold, then its settle or release), each time with its
// records: the request-log line, the images' records, the idempotency answer. Row locks are held
// until commit, so one transaction per write would put a busy customer's calls in single file
// behind each other's commits, and one statement per write costs Postgres several times its share
// of a set-based one. Here, writes that arrive while a group is in flight wait for the next group,
// and that one carries all of them in one flight of statements, sent without waiting for each
// other:
//
//   BEGIN; the ledger part of every call (ledger.postAllOrNothing: all holds and resolutions in
//   one statement); each kind of record, for all calls, in one statement (log lines, images,
//   idempotency answers), made for success; COMMIT.
//
// Should any hold be refused (or any resolution find its hold no longer open), the ledger fails
// the statement and Postgres answers COMMIT with a rollback. The group then goes again,
// carefully: the ledger's answers first (refusals are answers there, not errors), then the
// records made from each answer (a refused hold logs "refused", a hold that expired meanwhile
// delivers free), then COMMIT. Under light load a group carries one call and starts at once.
//
// A group with no answer from PostgreSQL within flightTimeoutMs (5 s; a group takes milliseconds)
// fails its calls with FlightTimeout instead of keeping every later group waiting behind it, and
// its backend is ended first, so that its transaction is over before anyone decides what its
// calls did. A group whose connection failed (the database restarting, or down) fails its calls
// at once, with the error: none of them goes again alone, and nothing more is sent on that
// connection.
//
// All of a group commits, or none of it. When a statement fails otherwise, the group rolls back and
// each call's write runs again alone, in a group of its own, so only the failing one fails. The ledger
// locks the accounts of a whole group in ascending order, and keys only after them, so two groups
// (two server threads) never wait on each other in a circle.
import {
  DatabaseUnavailable,
  isDatabaseUnavailable,
  type Sql,
  terminateBackend,
  type Tx,
} from "../platform/database.ts";
import {
  asLedgerError,
  type HoldInput,
  type HoldRefusal,
  LedgerError,
  post,
  postAllOrNothing,
  type Resolution,
} from "./ledger.ts";
import { type RequestLogEntry, writeRequestLogs } from "../metering/request_log.ts";
import { completeIdempotencyKeys, type IdempotencyCompletion } from "../metering/idempotency.ts";

/** What one call writes: money to hold or resolve, and the records that commit with it. */
export interface CallWrite {
  hold?: HoldInput;
  resolution?: Resolution;
  /** The records, when the ledger does what was asked. */
  records?: CallRecords;
  /** The records instead, when the hold is refused or the resolution finds its hold not open. */
  otherwise?: CallRecords;
}

/** What the ledger did with a call's hold and resolution. */
export interface LedgerOutcome {
  hold?: "held" | HoldRefusal;
  /** not_open: the hold was resolved already (expired, most likely), or never existed. */
  resolution?: "resolved" | "not_open";
}

export interface CallRecords {
  log?: RequestLogEntry;
  /** A kind's own records (an image call's images), written with the rest of its kind's. */
  rows?: KindRows[];
  idempotency?: IdempotencyCompletion;
}

/** A kind of record a call keeps beside its log line: one statement writes a whole group's. */
export interface RecordKind<R> {
  name: string;
  write(tx: Tx, rows: R[]): { execute(): Promise<unknown> };
}

/** Rows of one kind of record. */
export interface KindRows<R = unknown> {
  kind: RecordKind<R>;
  rows: R[];
}

export function rowsOf<R>(kind: RecordKind<R>, rows: R[]): KindRows {
  return { kind, rows } as KindRows;
}

export interface GroupCommit {
  /** Writes `call` in a transaction shared with other calls; resolves with what the ledger did
   *  once it has committed. */
  write(call: CallWrite): Promise<LedgerOutcome>;
}

interface Pending {
  call: CallWrite;
  resolve(outcome: LedgerOutcome): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions {
  maxGroup?: number;
  /** A group's transaction failed other than by a refusal, and its calls go again one by one. */
  onFallback?(error: unknown, calls: number): void;
  /** How long a group waits for PostgreSQL's answers before its calls fail (5 s). */
  flightTimeoutMs?: number;
}

/**
 * A group got no connection to PostgreSQL (it is down, or restarting): nothing of it was sent, so
 * nothing of it happened.
 */
export class NotSent extends DatabaseUnavailable {
  override name = "NotSent";
  constructor(cause: unknown) {
    super(`a group commit got no connection to PostgreSQL: ${cause}`, { cause });
  }
}

/**
 * A group had no answer from PostgreSQL in time. `over`: its transaction is over (its backend was
 * ended), committed before or never, and a caller that must know asks the database (images.ts
 * decides a settle's fate by releasing its hold).
 */
export class FlightTimeout extends DatabaseUnavailable {
  override name = "FlightTimeout";
  constructor(ms: number, readonly over: boolean) {
    super(
      `no answer from PostgreSQL to a group commit in ${ms} ms${
        over ? "" : "; its backend could not be ended"
      }`,
    );
  }
}

/** How long pg_terminate_backend waits for the backend to be gone. */
const TERMINATE_WAIT_MS = 2_000;

export function groupCommit(sql: Sql, options: GroupCommitOptions = {}): GroupCommit {
  const maxGroup = options.maxGroup ?? 100;
  const onFallback = options.onFallback ??
    ((error: unknown, calls: number) =>
      console.warn(
        `group commit: a group of ${calls} failed (${error}); each call goes again alone`,
      ));
  const flightTimeoutMs = options.flightTimeoutMs ?? 5_000;
  const queue: Pending[] = [];
  let inFlight = false;
  let scheduled = false;

  async function runGroup(group: Pending[], hopeful = true) {
    const result = await attempt(group.map((pending) => pending.call), hopeful);
    if ("outcomes" in result) {
      group.forEach((pending, i) => {
        const outcome = result.outcomes[i];
        if (outcome instanceof Error) pending.reject(outcome);
        else pending.resolve(outcome);
      });
    } else if (
      hopeful && result.error instanceof LedgerError && result.error.code === "not_all_succeeded"
    ) {
      // A refusal (or a hold not open, or a retry) among the calls: the same group, carefully.
      await runGroup(group, false);
    } else if (group.length === 1 || isDatabaseUnavailable(result.error)) {
      // Going again alone cannot help a database that is away; and a group whose answer was lost
      // may have committed: its callers find out.
      for (const pending of group) pending.reject(result.error);
    } else {
      // Nothing of the group is in: each call runs again alone, so only the failing one fails.
      onFallback(result.error, group.length);
      await Promise.allSettled(group.map((pending) => runGroup([pending])));
    }
  }

  /**
   * One transaction for `calls`: committed, with each call's outcome (a retry that conflicts with
   * its original fails with its LedgerError, and wrote nothing), or rolled back, with the error.
   * Hopeful: in one flight, with the records of success, all or nothing. Careful: the ledger's
   * answers first, then the records made from them.
   */
  async function attempt(
    calls: CallWrite[],
    hopeful: boolean,
  ): Promise<{ outcomes: (LedgerOutcome | Error)[] } | { error: unknown }> {
    let stuck = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        stuck = true;
        reject(new Error("flight timeout"));
      }, flightTimeoutMs);
    });
    late.catch(() => {});
    const inTime = <T>(answers: Promise<T>) => Promise.race([answers, late]);

    let connection;
    const reserving = sql.reserve();
    try {
      connection = await inTime(reserving);
    } catch (error) {
      clearTimeout(timer);
      // A connection that comes after all goes back to the pool.
      if (stuck) reserving.then((late) => late.release(), () => {});
      return { error: new NotSent(stuck ? `no connection in ${flightTimeoutMs} ms` : error) };
    }
    const tx = connection as unknown as Tx;
    // Statements go out in the order they are made, each without waiting for the one before.
    const begin = connection`begin`.execute();
    const statements: Promise<unknown>[] = [begin];
    let releasable = true;
    try {
      const holds = calls.flatMap((call) => call.hold ? [call.hold] : []);
      const resolutions = calls.flatMap((call) => call.resolution ? [call.resolution] : []);
      let outcomes: (LedgerOutcome | Error)[];
      let records: CallRecords[];
      if (hopeful) {
        outcomes = calls.map((call) => ({
          hold: call.hold && "held",
          resolution: call.resolution && "resolved",
        }));
        records = recordsOf(calls, outcomes);
        statements.push(postAllOrNothing(tx, holds, resolutions).execute());
      } else {
        statements.push(post(tx, holds, resolutions));
        const posted = (await inTime(Promise.all(statements)))[1] as Awaited<
          ReturnType<typeof post>
        >;
        outcomes = outcomesOf(calls, posted);
        records = recordsOf(calls, outcomes);
      }

      const logs = records.flatMap((r) => r.log ? [r.log] : []);
      const byKind = new Map<string, { kind: RecordKind<unknown>; rows: unknown[] }>();
      for (const { kind, rows } of records.flatMap((r) => r.rows ?? [])) {
        const batch = byKind.get(kind.name) ??
          byKind.set(kind.name, { kind, rows: [] }).get(kind.name)!;
        batch.rows.push(...rows);
      }
      const completions = records.flatMap((r) => r.idempotency ? [r.idempotency] : []);
      if (logs.length) statements.push(writeRequestLogs(tx, logs).execute());
      for (const { kind, rows } of byKind.values()) {
        if (rows.length) statements.push(kind.write(tx, rows).execute());
      }
      if (completions.length) {
        statements.push(completeIdempotencyKeys(tx, completions).execute());
      }
      // After a failure Postgres answers COMMIT with a rollback; or COMMIT fails itself.
      statements.push(connection`commit`.execute());
      const settled = await inTime(Promise.allSettled(statements));
      const failed = settled.some((s) => s.status === "rejected");
      return failed ? { error: asLedgerError(firstCause(settled)) } : { outcomes };
    } catch (error) {
      if (!stuck) {
        // Whatever was sent is answered before the rollback, its failures included; a connection
        // that failed is sent nothing more (the pool has it back, to connect again).
        await inTime(Promise.allSettled(statements)).catch(() => {});
        if (!isDatabaseUnavailable(error)) {
          await inTime(connection`rollback`.execute()).catch(() => {});
        }
      }
      if (!stuck) return { error };
      // Only once the backend is gone are its statements answered; until then they hold the
      // connection, which must not go back to the pool.
      releasable = await endBackend(begin, statements);
      return { error: new FlightTimeout(flightTimeoutMs, releasable) };
    } finally {
      clearTimeout(timer);
      if (releasable) connection.release();
    }
  }

  /**
   * Ends the backend of a flight that had no answer in time, so that its transaction is over
   * (committed already, or never) and its locks are free before its callers decide anything; true
   * once it is gone and the flight's statements have failed with its connection.
   */
  async function endBackend(begin: Promise<unknown>, statements: Promise<unknown>[]) {
    // postgres.js notes the backend a query was sent to (the key it would cancel it with).
    const pid = (begin as unknown as { state?: { pid?: number } | null }).state?.pid;
    const within = <T>(work: Promise<T>) =>
      Promise.race([
        work,
        new Promise<never>((_, reject) => setTimeout(reject, flightTimeoutMs, "no answer")),
      ]);
    let ended = false;
    if (pid) {
      ended = await within(terminateBackend(sql, pid, TERMINATE_WAIT_MS)).catch(() => false);
    }
    // Its statements fail as PostgreSQL closes the connection (unless the line itself is dead).
    if (ended) ended = await within(Promise.allSettled(statements)).then(() => true, () => false);
    console.error(
      `group commit: no answer in ${flightTimeoutMs} ms; backend ${pid ?? "(unknown)"} ${
        ended ? "ended" : "could not be ended, connection dropped"
      }`,
    );
    return ended;
  }

  function startGroup() {
    scheduled = false;
    if (inFlight || queue.length === 0) return;
    inFlight = true;
    const group = queue.splice(0, maxGroup);
    runGroup(group).catch((error) => {
      // Not expected (attempt answers every failure); a call already settled ignores this.
      for (const pending of group) pending.reject(error);
    }).finally(() => {
      inFlight = false;
      startGroup();
    });
  }

  return {
    write(call: CallWrite): Promise<LedgerOutcome> {
      return new Promise<LedgerOutcome>((resolve, reject) => {
        queue.push({ call, resolve, reject });
        if (scheduled || inFlight) return;
        scheduled = true;
        // After the current job, so writes queued by the same event go in one group.
        queueMicrotask(startGroup);
      });
    },
  };
}

/** Each call's outcome from a careful group's ledger answers, in the order of the calls. */
function outcomesOf(calls: CallWrite[], posted: Awaited<ReturnType<typeof post>>) {
  let h = 0, r = 0;
  return calls.map((call): LedgerOutcome | Error => {
    const hold = call.hold ? posted.holds[h++] : undefined;
    const resolution = call.resolution ? posted.resolutions[r++] : undefined;
    if (hold instanceof LedgerError) return hold;
    if (resolution instanceof LedgerError) return resolution;
    return {
      hold: hold && (hold.held ? "held" : hold.refusal),
      resolution: resolution && (resolution.notOpen ? "not_open" : "resolved"),
    };
  });
}

/** Each call's records, chosen by its outcome (none for a call that failed). */
function recordsOf(calls: CallWrite[], outcomes: (LedgerOutcome | Error)[]): CallRecords[] {
  return calls.map((call, i) => {
    const outcome = outcomes[i];
    if (outcome instanceof Error) return {};
    const asked = (outcome.hold ?? "held") === "held" &&
      (outcome.resolution ?? "resolved") === "resolved";
    return (asked ? call.records : call.otherwise) ?? {};
  });
}

/** The error that counts among a failed transaction's: the first that is not "current
 *  transaction is aborted" (25P02), which Postgres gives every statement after the first failure. */
function firstCause(settled: PromiseSettledResult<unknown>[]): unknown {
  const failures = settled
    .filter((s): s is PromiseRejectedResult => s.status === "rejected")
    .map((s) => s.reason);
  return failures.find((error) => (error as { code?: string })?.code !== "25P02") ?? failures[0];
}
