import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createDb, type Database } from "./create-db.js";
import { createTestDatabase, type TestDatabase } from "./testing/index.js";

// createDb names every data statement, so each connection plans it once (see PreparedStatements).

let t: TestDatabase;
let db: Database;

beforeAll(async () => {
  // One connection, so that every call below runs on the session it inspects.
  t = await createTestDatabase({ maxConnections: 1 });
  db = t.db;
});
afterAll(async () => {
  await t?.drop();
});

const preparedOnThisSession = (statement: string, on: Database = db) =>
  sql<{ name: string; calls: number }>`
    SELECT name, generic_plans + custom_plans AS calls FROM pg_prepared_statements WHERE statement = ${statement}
  `.execute(on);

describe("prepared statements", () => {
  it("prepares a data statement once per connection and reuses it with new parameters", async () => {
    const query = (showId: number) =>
      sql<{ n: number }>`SELECT count(*) AS n FROM seats WHERE show_id = ${showId}`;
    for (const showId of [1, 2, 3, 4]) expect((await query(showId).execute(db)).rows).toEqual([{ n: 0 }]);
    const { rows } = await preparedOnThisSession(query(0).compile(db).sql);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.name).toMatch(/^ef_[\w-]{24}$/u);
    expect(rows[0]?.calls).toBe(4);
  });

  it("leaves transaction control and other utility statements unnamed", async () => {
    await db.transaction().execute(async (tx) => {
      await sql`SAVEPOINT s`.execute(tx);
      await sql`RELEASE SAVEPOINT s`.execute(tx);
    });
    const { rows } = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.execute(
      db,
    );
    expect(rows.map((row) => row.statement).filter((s) => /SAVEPOINT|BEGIN|COMMIT/iu.test(s))).toEqual([]);
  });

  it("prepares afresh on a new connection after the old one is lost", async () => {
    // A pool of its own: the session it kills is not the one the other tests use.
    const own = createDb(t.url, { maxConnections: 1 });
    onTestFinished(() => own.destroy());
    const query = sql<{ ok: number }>`SELECT 1 AS ok FROM users WHERE id > ${0} LIMIT 1`;
    await query.execute(own);
    const { rows: before } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(own);
    // Ends the session from another connection: the pool notices and connects again.
    const other = createDb(t.url, { maxConnections: 1 });
    try {
      await sql`SELECT pg_terminate_backend(${before[0]?.pid})`.execute(other);
    } finally {
      await other.destroy();
    }
    // A call or two may still meet the dead session; then the pool connects again.
    let rows: unknown[] | undefined;
    for (let attempt = 0; attempt < 5 && rows === undefined; attempt++) {
      rows = await query.execute(own).then(
        (result) => result.rows,
        () => undefined,
      );
    }
    expect(rows).toEqual([]);
    const { rows: after } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(own);
    expect(after[0]?.pid).not.toBe(before[0]?.pid);
    expect((await preparedOnThisSession(query.compile(own).sql, own)).rows).toHaveLength(1);
  });

  it("runs a statement unnamed on that connection once a schema change has changed its result", async () => {
    await sql`CREATE TABLE prepared_probe (a integer)`.execute(db);
    await sql`INSERT INTO prepared_probe VALUES (1)`.execute(db);
    const query = sql<Record<string, number>>`SELECT * FROM prepared_probe WHERE a = ${1}`;
    expect((await query.execute(db)).rows).toEqual([{ a: 1 }]);
    await sql`ALTER TABLE prepared_probe ADD COLUMN b integer DEFAULT 2`.execute(db);
    // PostgreSQL refuses the old plan once; from then on the statement runs unnamed.
    await expect(query.execute(db)).rejects.toMatchObject({ code: "0A000" });
    expect((await query.execute(db)).rows).toEqual([{ a: 1, b: 2 }]);
    expect((await query.execute(db)).rows).toEqual([{ a: 1, b: 2 }]);
  });
});
