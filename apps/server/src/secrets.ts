import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** A random secret kept in `file` (owner-only): created on first use, the same ever after. */
async function readOrCreateSecretFile(file: string): Promise<string> {
  const existing = (await readFile(file, "utf8").catch(() => undefined))?.trim();
  if (existing && existing.length >= 32) return existing;
  const secret = randomBytes(48).toString("base64url");
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * The configured JWT secret, or (outside production) one generated on first start and kept in
 * the data dir, so that tokens survive restarts.
 */
export async function resolveJwtSecret(configured: string | undefined, dataDir: string): Promise<Uint8Array> {
  return new TextEncoder().encode(configured ?? (await readOrCreateSecretFile(join(dataDir, "jwt-secret"))));
}

/** The embedded cluster's superuser password, generated with the cluster and kept beside it. */
export function embeddedDatabasePassword(dataDir: string): Promise<string> {
  return readOrCreateSecretFile(join(dataDir, "postgres-password"));
}
