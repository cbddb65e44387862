import pg from "pg";

// Creating and dropping whole databases: the server's first start, the test template and its
// clones, and the codegen script all go through here.

/** The same server and credentials, another database. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `work` on a single short-lived connection to `serverUrl`. */
export async function withAdminClient<T>(
  serverUrl: string,
  work: (admin: pg.Client) => Promise<T>,
): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** Creates the database (a copy of `template`, if given) and returns its URL. */
export async function createDatabase(serverUrl: string, name: string, template?: string): Promise<string> {
  await withAdminClient(serverUrl, async (admin) => {
    const copy = template ? ` TEMPLATE ${admin.escapeIdentifier(template)}` : "";
    // Clones of one template can collide while another clone is being copied; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}${copy}`);
        return;
      } catch (error) {
        if (attempt >= 20 || !String(error).includes("is being accessed by other users")) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  });
  return databaseUrl(serverUrl, name);
}

/** Creates the database unless it exists; returns its URL. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const exists = await withAdminClient(serverUrl, async (admin) => {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return Boolean(rowCount);
  });
  return exists ? databaseUrl(serverUrl, name) : createDatabase(serverUrl, name);
}

/** Drops the database, closing whatever connections it still has. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withAdminClient(serverUrl, (admin) =>
    admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`),
  );
}
