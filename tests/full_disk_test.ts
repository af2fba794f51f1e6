// A full disk is the operator's to fix, not the customer's fault: each call answers a clear,
// retryable 503 in OpenAI's envelope and is not charged, the server log says so once (not once
// per call), and calls go through again as soon as there is room.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { test } from "./_helpers/database.ts";
import { assertLedgerHolds, customer } from "./_helpers/fixtures.ts";
import { startGateway } from "./_helpers/app.ts";
import { balanceOf } from "../services/billing/ledger.ts";
import type { ImageStore } from "../services/images/store.ts";

const gw = await startGateway();
const { sql, upstream } = gw;

/** The real store, except that its writes go to /dev/full: the kernel answers ENOSPC. */
function fullDisk(real: ImageStore): ImageStore {
  return {
    put(_name, bytes) {
      const device = Deno.openSync("/dev/full", { write: true });
      try {
        device.writeSync(bytes);
      } finally {
        device.close();
      }
      return Promise.reject(new Error("/dev/full took the bytes"));
    },
    get: (key) => real.get(key),
    delete: (key) => real.delete(key),
    close: () => {},
  };
}

test("a full disk answers 503 storage_full, retryable, charges nothing, and is warned about once", async () => {
  const ada = await customer(sql, { balance: 1_000_000n });
  upstream.respond = () => ({ kind: "ok" });
  const services = gw.server.services;
  const real = services.store;
  const warnings: string[] = [];
  const warn = console.warn;
  services.store = fullDisk(real);
  console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
  const call = () =>
    gw.client(ada.key).images.generate({
      model: "gpt-image-2",
      prompt: "a full disk",
      size: "1024x1024",
      quality: "low",
    });
  try {
    for (let i = 0; i < 3; i++) {
      const error = await call().then(() => null, (e) => e);
      assert.ok(error instanceof OpenAI.APIError, String(error));
      assert.equal(error.status, 503);
      assert.equal(error.code, "storage_full");
      assert.equal(error.type, "server_error");
      assert.match(error.message, /storage is full/);
      assert.equal(error.headers.get("x-should-retry"), "true");
      const [log] = await sql`select status, http_status, error_code, cost from request_log
                              where request_id = ${error.requestID ?? ""}`;
      assert.deepEqual([log.status, log.http_status, log.error_code, log.cost], [
        "failed",
        503,
        "storage_full",
        0n,
      ]);
    }
  } finally {
    services.store = real;
    console.warn = warn;
  }
  assert.equal(warnings.filter((w) => /disk is full/.test(w)).length, 1, warnings.join("\n"));
  assert.deepEqual(await balanceOf(sql, ada.accountId), {
    posted: 1_000_000n,
    pending: 0n,
    available: 1_000_000n,
  });

  await call();
  assert.equal((await balanceOf(sql, ada.accountId)).available, 1_000_000n - 7_200n);
  await assertLedgerHolds(sql);
});
