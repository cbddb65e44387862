import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** What `eventforge login` keeps: one login, to one server. */
export interface Session {
  url: string;
  access_token: string;
  /** When the token stops working, as an ISO string (the server's `expires_in` from the login). */
  expires_at: string;
  user: { id: number; email: string; role: string };
}

const SESSION_FILE = "session.json";

export const sessionPath = (configDir: string) => join(configDir, SESSION_FILE);

export async function readSession(configDir: string): Promise<Session | undefined> {
  let text: string;
  try {
    text = await readFile(sessionPath(configDir), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  // A damaged file is as good as no login; the next login rewrites it.
  try {
    const session = JSON.parse(text) as Partial<Session> | null;
    return typeof session?.url === "string" && typeof session.access_token === "string"
      ? (session as Session)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the session readable by its owner only: the token is as good as the password for an hour. */
export async function saveSession(configDir: string, session: Session): Promise<void> {
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  // mkdir leaves an existing directory's mode alone; the token must not be listable by others.
  await chmod(configDir, 0o700);
  // A new file gets the mode as it is created, and the rename swaps it in whole, so there is no moment
  // when the token is in a file that others may read.
  const path = sessionPath(configDir);
  const fresh = `${path}.${process.pid}.tmp`;
  await writeFile(fresh, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  await rename(fresh, path);
}

/** Forgets the login; returns the one there was. */
export async function deleteSession(configDir: string): Promise<Session | undefined> {
  const session = await readSession(configDir);
  await rm(sessionPath(configDir), { force: true });
  return session;
}
