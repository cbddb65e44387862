import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./index.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

let t: TestDatabase;
let proxy: TcpProxy;

beforeAll(async () => {
  t = await createTestDatabase();
  const url = new URL(t.url);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
});
afterAll(async () => {
  await proxy.close();
  await t.drop();
});

const connect = async () => {
  const client = new pg.Client({ connectionString: proxy.urlThrough(t.url) });
  client.on("error", () => {});
  await client.connect();
  return client;
};

describe("the fault-injection TCP proxy", () => {
  it("forwards, cuts open and new connections, and forwards again after restore", async () => {
    const client = await connect();
    expect((await client.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    proxy.cut();
    await expect(client.query("SELECT 1")).rejects.toThrow();
    await expect(connect()).rejects.toThrow();
    proxy.restore();
    const again = await connect();
    expect((await again.query("SELECT 2 AS two")).rows).toEqual([{ two: 2 }]);
    await again.end();
  });

  it("stalls a connection without closing it, and lets it finish once restored", async () => {
    const client = await connect();
    proxy.stall();
    let answered = false;
    const query = client.query("SELECT 3 AS three").then((r) => {
      answered = true;
      return r.rows;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(answered).toBe(false);
    expect(proxy.openConnections).toBe(1);
    proxy.restore();
    expect(await query).toEqual([{ three: 3 }]);
    await client.end();
  });
});
