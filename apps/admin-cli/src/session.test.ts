import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { deleteSession, readSession, type Session, saveSession, sessionPath } from "./session.js";

const scratch = await mkdtemp(join(tmpdir(), "eventforge-session-test-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

const session: Session = {
  url: "http://127.0.0.1:8001",
  access_token: "token",
  expires_at: "2030-01-01T00:00:00.000Z",
  user: { id: 1, email: "a@example.com", role: "admin" },
};

it("tightens a config dir and a session file that others could read", async () => {
  const dir = join(scratch, "loose");
  await mkdir(dir, { mode: 0o755 });
  await chmod(dir, 0o755);
  await writeFile(sessionPath(dir), "{}", { mode: 0o644 });
  await chmod(sessionPath(dir), 0o644);

  await saveSession(dir, session);
  expect((await stat(dir)).mode & 0o777).toBe(0o700);
  expect((await stat(sessionPath(dir))).mode & 0o777).toBe(0o600);
  expect(await readdir(dir)).toEqual(["session.json"]);
  expect(await readSession(dir)).toEqual(session);
});

it("reads a missing or damaged file as no login, and logout forgets it", async () => {
  const dir = join(scratch, "damaged");
  expect(await readSession(dir)).toBeUndefined();
  await mkdir(dir);
  for (const text of ["not json", "null", '{"url": 1}']) {
    await writeFile(sessionPath(dir), text);
    expect(await readSession(dir), text).toBeUndefined();
  }
  await saveSession(dir, session);
  expect(await deleteSession(dir)).toEqual(session);
  expect(await deleteSession(dir)).toBeUndefined();
});
