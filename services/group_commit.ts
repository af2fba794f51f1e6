// Group commit: the writes of calls that arrive together share one transaction.
//
// Every billed call writes twice (its hold, then its settle or release), each time with its
// request-log line, and every one of those writes changes its customer's account row. Row locks
// are held until commit, so one transaction per write puts a busy customer's calls in single
// file behind each other's commits. Here, work that arrives while a transaction is in flight
// waits for the next one, and that one carries all of it: one lock taking and one commit for
// many calls. Under light load a transaction carries one call and starts at once.
//
// All of a group commits, or none of it. When any work in a group fails, the group's
// transaction rolls back and each work runs again alone, in a transaction of its own, so only
// the failing one fails. Work must therefore be database writes only (no upstream calls, no
// files), safe to run again after a rollback, and should answer expected refusals as values
// rather than errors (see ledger.tryHold), so that one refused call does not make the others
// run twice.
//
// One group is in flight at a time per group commit, and each server thread has its own. A group
// starts its works in the order of the customer account each one writes, and each work should
// send its statements at once (no await between them), so accounts are locked in ascending
// order; the ledger locks an account before its keys. Two groups on two threads therefore never
// wait on each other in a circle. Should rows ever be taken out of order, Postgres detects the
// deadlock, fails one group, and its works run again alone.
import type { Sql, Tx } from "./database.ts";

export interface GroupCommit {
  /**
   * Runs `work`, which writes to customer account `account` (its money, and records beside it),
   * in a transaction shared with other calls' work; resolves once it has committed. `tx` is a
   * connection inside BEGIN … COMMIT: statements only, no savepoints or nested transactions.
   */
  run<T>(account: bigint, work: (tx: Tx) => Promise<T>): Promise<T>;
}

interface Pending {
  account: bigint;
  work: (tx: Tx) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export function groupCommit(sql: Sql, options: { maxGroup?: number } = {}): GroupCommit {
  const maxGroup = options.maxGroup ?? 100;
  const queue: Pending[] = [];
  let inFlight = false;
  let scheduled = false;

  const runAlone = (pending: Pending) =>
    sql.begin((tx) => pending.work(tx)).then(pending.resolve, pending.reject);

  async function runGroup(group: Pending[]) {
    if (group.length === 1) return await runAlone(group[0]);
    // BEGIN goes out with the works' statements, not a round trip ahead of them (sql.begin waits
    // for it): on a busy server each round trip is a turn of the event loop.
    const connection = await sql.reserve();
    let values: unknown[] | null = null;
    try {
      const begun = connection`begin`.execute();
      const outcomes = await Promise.allSettled(
        group.map((pending) => pending.work(connection as unknown as Tx)),
      );
      await begun;
      if (outcomes.every((outcome) => outcome.status === "fulfilled")) {
        await connection`commit`;
        values = outcomes.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value);
      } else {
        await connection`rollback`;
      }
    } catch {
      await connection`rollback`.catch(() => {});
    } finally {
      connection.release();
    }
    if (values) {
      group.forEach((pending, i) => pending.resolve(values[i]));
    } else {
      // A failing work, or the commit itself: nothing of the group is in, so each runs alone.
      await Promise.all(group.map(runAlone));
    }
  }

  function startGroup() {
    scheduled = false;
    if (inFlight || queue.length === 0) return;
    inFlight = true;
    const group = queue.splice(0, maxGroup)
      .sort((a, b) => a.account < b.account ? -1 : a.account > b.account ? 1 : 0);
    runGroup(group).finally(() => {
      inFlight = false;
      startGroup();
    });
  }

  return {
    run<T>(account: bigint, work: (tx: Tx) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ account, work, resolve: resolve as (value: unknown) => void, reject });
        if (scheduled || inFlight) return;
        scheduled = true;
        // After the current job, so works queued by the same event go in one group.
        queueMicrotask(startGroup);
      });
    },
  };
}
