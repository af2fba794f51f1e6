// Group commit: the writes of calls that arrive together share one transaction, and each kind of
// write is one set-based statement for the whole group.
//
// Every billed call writes twice (its hold, then its settle or release), each time with its
// records: the request-log line, the images' records, the idempotency answer. Row locks are held
// until commit, so one transaction per write would put a busy customer's calls in single file
// behind each other's commits, and one statement per write costs Postgres several times its share
// of a set-based one. Here, writes that arrive while a group is in flight wait for the next group,
// and that one carries all of them in two round trips:
//
//   1. BEGIN, and the ledger part of every call in one statement (ledger.post): the holds and
//      resolutions, whose refusals are answers, not errors;
//   2. each call's records, made from its ledger answer (a refused hold logs "refused", a hold
//      that expired meanwhile delivers free), one statement per kind of record, and COMMIT.
//
// Under light load a group carries one call and starts at once.
//
// All of a group commits, or none of it. When any statement fails, the group rolls back and each
// call's write runs again alone, in a group of its own, so only the failing one fails. The ledger
// locks the accounts of a whole group in ascending order before anything else, so two groups (two
// server threads) never wait on each other in a circle.
import type { Sql, Tx } from "./database.ts";
import {
  type HoldAnswer,
  type HoldInput,
  LedgerError,
  post,
  type Resolution,
  type ResolutionAnswer,
} from "./ledger.ts";
import { type RequestLogEntry, writeRequestLogs } from "./request_log.ts";
import { type ImageRecord, recordImages } from "./image_files.ts";
import {
  assertClaimsKept,
  completeIdempotencyKeys,
  type IdempotencyCompletion,
} from "./idempotency.ts";

/** What one call writes: money to hold or resolve, and the records that commit with it. */
export interface CallWrite {
  hold?: HoldInput;
  resolution?: Resolution;
  /** The records, made from what the ledger answered; runs once per attempt. */
  records?(answer: LedgerAnswer): CallRecords;
}

export interface LedgerAnswer {
  hold?: HoldAnswer;
  resolution?: ResolutionAnswer;
}

export interface CallRecords {
  log?: RequestLogEntry;
  images?: ImageRecord[];
  idempotency?: IdempotencyCompletion;
}

export interface GroupCommit {
  /** Writes `call` in a transaction shared with other calls; resolves with the ledger's answer
   *  once it has committed. */
  write(call: CallWrite): Promise<LedgerAnswer>;
}

interface Pending {
  call: CallWrite;
  resolve(answer: LedgerAnswer): void;
  reject(error: unknown): void;
}

export function groupCommit(sql: Sql, options: { maxGroup?: number } = {}): GroupCommit {
  const maxGroup = options.maxGroup ?? 100;
  const queue: Pending[] = [];
  let inFlight = false;
  let scheduled = false;

  async function runGroup(group: Pending[]) {
    const outcome = await attempt(group.map((pending) => pending.call));
    if ("answers" in outcome) {
      group.forEach((pending, i) => {
        const answer = outcome.answers[i];
        if (answer instanceof Error) pending.reject(answer);
        else pending.resolve(answer);
      });
    } else if (group.length === 1) {
      group[0].reject(outcome.error);
    } else {
      // Nothing of the group is in: each call runs again alone, so only the failing one fails.
      await Promise.all(group.map((pending) => runGroup([pending])));
    }
  }

  /**
   * One transaction for `calls`: committed, with each call's answer (a retry that conflicts with
   * its original answers with its LedgerError, and wrote nothing), or rolled back, with the error.
   */
  async function attempt(
    calls: CallWrite[],
  ): Promise<{ answers: (LedgerAnswer | Error)[] } | { error: unknown }> {
    const connection = await sql.reserve();
    const tx = connection as unknown as Tx;
    try {
      // BEGIN goes out with the ledger's statement, not a round trip ahead of it.
      const begun = connection`begin`.execute();
      const holds = calls.flatMap((call) => call.hold ? [call.hold] : []);
      const resolutions = calls.flatMap((call) => call.resolution ? [call.resolution] : []);
      const [, posted] = await Promise.all([begun, post(tx, holds, resolutions)]);

      let h = 0, r = 0;
      const answers = calls.map((call): LedgerAnswer | Error => {
        const hold = call.hold ? posted.holds[h++] : undefined;
        const resolution = call.resolution ? posted.resolutions[r++] : undefined;
        if (hold instanceof LedgerError) return hold;
        if (resolution instanceof LedgerError) return resolution;
        return { hold, resolution };
      });
      const records = calls.map((call, i) => {
        const answer = answers[i];
        return answer instanceof Error ? {} : call.records?.(answer) ?? {};
      });

      // Sent in this order, without waiting: COMMIT runs only if every statement before it did
      // (after a failure Postgres answers COMMIT with a rollback).
      const logs = records.flatMap((r) => r.log ? [r.log] : []);
      const images = records.flatMap((r) => r.images ?? []);
      const completions = records.flatMap((r) => r.idempotency ? [r.idempotency] : []);
      const statements: Promise<unknown>[] = [];
      if (logs.length) statements.push(writeRequestLogs(tx, logs).execute());
      if (images.length) statements.push(recordImages(tx, images).execute());
      if (completions.length) {
        statements.push(
          completeIdempotencyKeys(tx, completions).execute()
            .then((rows) => assertClaimsKept(rows, completions)),
        );
      }
      statements.push(connection`commit`.execute());
      const settled = await Promise.allSettled(statements);
      const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
      // On a failure COMMIT was turned into a rollback, or failed itself: nothing is in.
      return failure ? { error: firstCause(settled) } : { answers };
    } catch (error) {
      await connection`rollback`.catch(() => {});
      return { error };
    } finally {
      connection.release();
    }
  }

  function startGroup() {
    scheduled = false;
    if (inFlight || queue.length === 0) return;
    inFlight = true;
    runGroup(queue.splice(0, maxGroup)).finally(() => {
      inFlight = false;
      startGroup();
    });
  }

  return {
    write(call: CallWrite): Promise<LedgerAnswer> {
      return new Promise<LedgerAnswer>((resolve, reject) => {
        queue.push({ call, resolve, reject });
        if (scheduled || inFlight) return;
        scheduled = true;
        // After the current job, so writes queued by the same event go in one group.
        queueMicrotask(startGroup);
      });
    },
  };
}

/** The error that counts among a failed transaction's: the first that is not "current
 *  transaction is aborted" (25P02), which Postgres gives every statement after the first failure. */
function firstCause(settled: PromiseSettledResult<unknown>[]): Error {
  const failures = settled
    .filter((s): s is PromiseRejectedResult => s.status === "rejected")
    .map((s) => s.reason);
  return failures.find((error) => (error as { code?: string })?.code !== "25P02") ?? failures[0];
}
