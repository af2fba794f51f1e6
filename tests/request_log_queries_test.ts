// The request log's queries on a big log: every page (each filter, a date range, deep by cursor,
// newer by cursor, a request id, a CSV batch) is a range scan of an index in the page's order,
// never a sequential scan of the log nor a sort of it, in the plan PostgreSQL makes for the
// values given and in the generic plan a prepared statement may switch to. Paging by cursor
// visits every row exactly once, ties in time included; filters keep exactly their rows.
import assert from "node:assert/strict";
import { freshDatabase, test } from "./_helpers/database.ts";
import { customer } from "./_helpers/fixtures.ts";
import { createApiKey } from "../services/accounts/api_keys.ts";
import {
  decodeCursor,
  encodeCursor,
  type LogFilters,
  logPage,
  type LogQuery,
  logRowBatches,
  logRowsQuery,
  parseLogQuery,
} from "../services/metering/log_queries.ts";
import { seedRequestLog } from "../scripts/bench/log_seed.ts";
import type { Sql } from "../services/platform/database.ts";

const { sql } = await freshDatabase();
const ann = await customer(sql);
const annKeys = [ann.apiKeyId];
for (const name of ["staging", "batch jobs"]) {
  annKeys.push((await createApiKey(sql, { userId: ann.id, name })).apiKey.id);
}
const bob = await customer(sql);
await seedRequestLog(sql, { userId: ann.id, keyIds: annKeys, rows: 40_000 });
await seedRequestLog(sql, { userId: bob.id, keyIds: [bob.apiKeyId], rows: 10_000 });
await sql`analyze request_log`;

/** A row of ann's somewhere in the middle, to page from. */
const [middle] = await sql<{ at: string; requestId: string }[]>`
  select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at,
    request_id as "requestId"
  from request_log where user_id = ${ann.id} order by created_at desc, request_id desc
  offset 5000 limit 1`;
const today = new Date().toISOString().slice(0, 10);
const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);

const PAGES: [string, LogQuery, string][] = [
  ["the newest page", { filters: {} }, "request_log_account_time"],
  ["images only", { filters: { kind: "image" } }, "request_log_account_kind"],
  ["one model", { filters: { model: "claude-haiku-4-5" } }, "request_log_account_model"],
  ["one key", { filters: { key: annKeys[2] } }, "request_log_account_key"],
  ["made on the dashboard", { filters: { key: "dashboard" } }, "request_log_account_key"],
  ["blocked calls", { filters: { status: "blocked" } }, "request_log_account_status"],
  ["calls still pending", { filters: { status: "pending" } }, "request_log_account_status"],
  ["a week", { filters: { from: weekAgo, to: today } }, "request_log_account_time"],
  ["a day", { filters: { from: weekAgo, to: weekAgo } }, "request_log_account_time"],
  ["failed text calls on one key", {
    filters: { kind: "text", status: "failed", key: annKeys[0] },
  }, "request_log_account_"],
  ["one model for a week", {
    filters: { model: "gpt-image-1.5", from: weekAgo, to: today },
  }, "request_log_account_"],
  ["deep, by cursor", { filters: {}, before: middle }, "request_log_account_time"],
  ["deep, one key", { filters: { key: annKeys[1] }, before: middle }, "request_log_account_key"],
  ["newer, by cursor", { filters: {}, after: middle }, "request_log_account_time"],
  ["newer, one model", { filters: { model: "gpt-5.1" }, after: middle }, "request_log_account_"],
  ["a request id", { filters: {}, requestId: middle.requestId }, "request_log_pkey"],
];

const LOG_INDEXES = [
  "request_log_pkey",
  "request_log_account_time",
  "request_log_account_kind",
  "request_log_account_model",
  "request_log_account_key",
  "request_log_account_status",
];

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

/** What the plan does with request_log, and whether it sorts. */
function summary(plan: PlanNode) {
  const nodes = nodesOf(plan);
  const log = nodes.filter((n) => n["Relation Name"] === "request_log");
  return {
    scans: log.map((n) => n["Node Type"]),
    indexes: log.map((n) => n["Index Name"] ?? ""),
    sorts: nodes.some((n) => n["Node Type"].includes("Sort")),
  };
}

/** The plan for the values given (what the first runs of a prepared statement use). */
async function customPlan(query: ReturnType<typeof logRowsQuery>): Promise<PlanNode> {
  const [row] = await sql`explain (format json) ${query}`;
  return (row["QUERY PLAN"] as { Plan: PlanNode }[])[0].Plan;
}

/** The plan for any values (what a prepared statement may switch to after five runs). */
async function genericPlan(db: Sql, query: ReturnType<typeof logRowsQuery>): Promise<PlanNode> {
  const { string } = await query.describe();
  const [row] = await db.unsafe(`explain (generic_plan, format json) ${string}`).simple();
  return (row["QUERY PLAN"] as { Plan: PlanNode }[])[0].Plan;
}

test("every page is an index range scan in its own order, with no sort; no CSV batch scans the whole log", async () => {
  const seen: string[] = [];
  for (const [name, query, index] of PAGES) {
    for (
      const [which, plan] of [
        ["custom", await customPlan(logRowsQuery(sql, ann.id, query))],
        ["generic", await genericPlan(sql, logRowsQuery(sql, ann.id, query))],
      ] as const
    ) {
      const page = summary(plan);
      const what = `${name} (${which} plan): ${JSON.stringify(page)}`;
      assert.deepEqual(page.scans, ["Index Scan"], what);
      assert.ok(LOG_INDEXES.includes(page.indexes[0]), what);
      assert.equal(page.sorts, false, what);
      if (which === "custom") seen.push(`${name}: ${page.indexes[0]} (made for: ${index}…)`);
    }
    // A batch of a thousand rows may be read through a bitmap of an index and sorted, when the
    // planner finds that cheaper; never by reading the whole log.
    for (
      const plan of [
        await customPlan(logRowsQuery(sql, ann.id, query, "batch")),
        await genericPlan(sql, logRowsQuery(sql, ann.id, query, "batch")),
      ]
    ) {
      const scans = nodesOf(plan).map((n) => n["Node Type"]);
      assert.ok(!scans.includes("Seq Scan"), `${name} (batch): ${scans}`);
      assert.ok(
        nodesOf(plan).some((n) => LOG_INDEXES.includes(n["Index Name"] ?? "")),
        `${name} (batch): ${scans}`,
      );
    }
  }
  console.log(seen.join("\n"));
});

test("paging by cursor, older then newer, visits every row of a filter once, in order, ties in time included", async () => {
  const cy = await customer(sql);
  // 130 calls, many made in the same microsecond.
  await sql`
    insert into request_log (request_id, created_at, user_id, api_key_id, endpoint, kind,
      model_id, status, http_status, latency_ms, cost)
    select 'req_' || md5('tie' || g), timestamptz '2026-03-01 12:00:00.123456+00'
        - (g / 10) * interval '1 second',
      ${cy.id}, ${cy.apiKeyId}, '/v1/chat/completions', 'text', 'gpt-5.1',
      case when g % 3 = 0 then 'failed' else 'ok' end, 200, 100, g
    from generate_series(1, 130) g`;
  for (const filters of [{}, { status: "ok" }] as LogFilters[]) {
    const expected = (await sql<{ requestId: string }[]>`
      select request_id as "requestId" from request_log
      where user_id = ${cy.id} and (${filters.status ?? null}::text is null or status = ${
      filters.status ?? null
    })
      order by created_at desc, request_id desc`).map((r) => r.requestId);

    const pages: string[][] = [];
    let query: LogQuery = { filters };
    while (true) {
      const page = await logPage(sql, cy.id, query);
      pages.push(page.rows.map((r) => r.requestId));
      assert.equal(page.newer === null, pages.length === 1, "only the first page has no newer");
      if (!page.older) break;
      query = { filters, before: decodeCursor(page.older)! };
    }
    assert.deepEqual(pages.flat(), expected);
    assert.deepEqual(pages.slice(0, -1).map((p) => p.length), pages.slice(0, -1).map(() => 50));

    // Back up from the last page: the same pages, newest last.
    let newer = (await logPage(sql, cy.id, query)).newer;
    for (let i = pages.length - 2; i >= 0; i--) {
      const page = await logPage(sql, cy.id, { filters, after: decodeCursor(newer!)! });
      assert.deepEqual(page.rows.map((r) => r.requestId), pages[i], `page ${i + 1} again`);
      newer = page.newer;
    }
    assert.equal(newer, null, "back on the newest page");
  }
});

test("filters keep exactly their rows; days are UTC and both ends are included", async () => {
  const dee = await customer(sql);
  const at = [
    "2026-04-30 23:59:59.999999+00",
    "2026-05-01 00:00:00+00",
    "2026-05-02 23:59:59.999999+00",
    "2026-05-03 00:00:00+00",
  ];
  for (const [i, time] of at.entries()) {
    await sql`
      insert into request_log (request_id, created_at, user_id, api_key_id, endpoint, kind,
        model_id, status, http_status, latency_ms)
      values (${`req_${"d".repeat(31)}${i}`}, ${time}, ${dee.id}, ${i % 2 ? null : dee.apiKeyId},
        '/v1/images/generations', 'image', 'gpt-image-2', 'ok', 200, 10)`;
  }
  const ids = async (filters: LogFilters) => {
    const out: string[] = [];
    for await (const batch of logRowBatches(sql, dee.id, { filters })) {
      out.push(...batch.map((r) => r.requestId.at(-1)!));
    }
    return out.join("");
  };
  assert.equal(await ids({ from: "2026-05-01", to: "2026-05-02" }), "21");
  assert.equal(await ids({ from: "2026-05-01" }), "321");
  assert.equal(await ids({ to: "2026-04-30" }), "0");
  assert.equal(await ids({ key: "dashboard" }), "31");
  assert.equal(await ids({ key: dee.apiKeyId }), "20");

  // On the big log: each filter's batches hold exactly what counting finds.
  for (const [name, query] of PAGES.filter(([, q]) => !q.before && !q.after && !q.requestId)) {
    const f = query.filters;
    const [{ n }] = await sql<{ n: bigint }[]>`
      select count(*) as n from request_log
      where user_id = ${ann.id}
        and (${f.kind ?? null}::text is null or kind = ${f.kind ?? null})
        and (${f.model ?? null}::text is null or model_id = ${f.model ?? null})
        and (${f.status ?? null}::text is null or status = ${f.status ?? null})
        and (${f.key === "dashboard"} is false or api_key_id is null)
        and (${typeof f.key === "bigint" ? f.key : null}::bigint is null or api_key_id = ${
      typeof f.key === "bigint" ? f.key : null
    })
        and (${f.from ?? null}::date is null or created_at >= ${
      f.from ?? null
    }::date::timestamp at time zone 'UTC')
        and (${f.to ?? null}::date is null or created_at < (${
      f.to ?? null
    }::date + 1)::timestamp at time zone 'UTC')`;
    let rows = 0;
    for await (const batch of logRowBatches(sql, ann.id, { filters: f })) rows += batch.length;
    assert.equal(rows, Number(n), name);
  }
});

test("another account's key id, request id or cursor finds none of its rows", async () => {
  const page = await logPage(sql, bob.id, { filters: { key: annKeys[0] } });
  assert.deepEqual(page.rows, []);
  const byId = await logPage(sql, bob.id, { filters: {}, requestId: middle.requestId });
  assert.deepEqual(byId.rows, []);
  const deep = await logPage(sql, bob.id, { filters: {}, before: middle });
  assert.equal(deep.rows.length, 50);
  assert.ok(deep.rows.every((r) => r.apiKeyId === bob.apiKeyId || r.apiKeyId === null));
});

Deno.test("the page's query string: empty means any; a bad value is named, never a 500", () => {
  const ok = parseLogQuery({ kind: "", model: " gpt-5.1 ", key: "dashboard", status: "" });
  assert.deepEqual(ok, {
    query: {
      filters: {
        kind: undefined,
        model: "gpt-5.1",
        key: "dashboard",
        status: undefined,
        from: undefined,
        to: undefined,
      },
      requestId: undefined,
      before: undefined,
      after: undefined,
    },
  });
  const cursor = encodeCursor({ at: "2026-03-01T12:00:00.123456Z", requestId: "req_x" });
  assert.deepEqual(decodeCursor(cursor), { at: "2026-03-01T12:00:00.123456Z", requestId: "req_x" });
  assert.equal(decodeCursor("not a cursor"), null);
  const bad = parseLogQuery({
    kind: "video",
    key: "1e3",
    status: "nope",
    from: "2026-02-30",
    to: "2026-13-01",
    before: "xyz",
    request_id: "req_123",
  });
  assert.deepEqual(bad, {
    problems: {
      kind: "logs.problem.kind",
      key: "logs.problem.key",
      status: "logs.problem.status",
      from: "logs.problem.day",
      to: "logs.problem.day",
      before: "logs.problem.cursor",
      request_id: "logs.problem.requestId",
    },
  });
  assert.deepEqual(parseLogQuery({ from: "2026-05-02", to: "2026-05-01" }), {
    problems: { to: "logs.problem.range" },
  });
  const upper = parseLogQuery({ request_id: ` REQ_${"A".repeat(32)} ` });
  assert.equal("query" in upper && upper.query.requestId, `req_${"a".repeat(32)}`);
});
