import { randomBytes } from "node:crypto";
import { chmod, cp, mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { type EmbeddedPostgresServer, packagedBinariesDir, startEmbeddedPostgres } from "./embedded.js";

const asRoot = process.getuid?.() === 0;

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

// CI runs as root, and a checkout under a 0700 home (/root/eventforge) is where this used to fail
// with `spawn … initdb EACCES`. Without root there is no postgres user to switch to: nothing to test.
describe.skipIf(!asRoot)("embedded PostgreSQL as root, checkout under a 0700 directory", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("stages binaries and data where the postgres user can reach them, and keeps the data", async () => {
    // A private home holding a "checkout": its own copy of the PostgreSQL binaries and its data dir.
    const home = await mkdtemp(join(tmpdir(), "eventforge-root-home-"));
    cleanups.push(() => rm(home, { recursive: true, force: true }));
    await chmod(home, 0o700);
    const packagedBin = packagedBinariesDir();
    const checkoutBin = join(home, "checkout", "native", "bin");
    await mkdir(dirname(checkoutBin), { recursive: true });
    await cp(dirname(packagedBin), dirname(checkoutBin), { recursive: true, verbatimSymlinks: true });
    const dataDir = join(home, "checkout", ".eventforge", "postgres");
    const stagingDir = join(await mkdtemp(join(tmpdir(), "eventforge-staging-")), "staged");
    cleanups.push(() => rm(dirname(stagingDir), { recursive: true, force: true }));
    await chmod(dirname(stagingDir), 0o755);
    const password = randomBytes(12).toString("base64url");
    const options = { dataDir, persistent: true, password, stagingDir, binariesDir: checkoutBin };

    const first = await startEmbeddedPostgres(options);
    let second: EmbeddedPostgresServer | undefined;
    try {
      expect(first.binariesDir.startsWith(stagingDir)).toBe(true);
      expect(first.dataDir.startsWith(stagingDir)).toBe(true);
      const directory = await query<{ data_directory: string }>(first.url, "SHOW data_directory");
      expect(directory).toEqual([{ data_directory: first.dataDir }]);
      await query(first.url, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('survives a restart')");
      await first.stop();

      second = await startEmbeddedPostgres(options);
      expect(second.dataDir).toBe(first.dataDir);
      expect(second.binariesDir).toBe(first.binariesDir);
      expect(await query(second.url, "SELECT note FROM kept")).toEqual([{ note: "survives a restart" }]);
    } finally {
      await (second ?? first).stop();
    }
    // Persistent: the staged cluster is still on disk after the stop.
    expect((await stat(join(first.dataDir, "PG_VERSION"))).isFile()).toBe(true);
  });
});
