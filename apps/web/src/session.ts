// Who is signed in, kept in this browser's localStorage so a reload keeps the session until the
// token expires. A call that comes back NOT_AUTHENTICATED signs the user out (see errors.ts).
import type { RouterOutputs } from "@eventforge/client";

type User = RouterOutputs["auth"]["login"]["user"];

export interface SignedIn {
  access_token: string;
  /** Epoch ms at which the token expires (the server's `expires_in` from sign-in). */
  expires_at: number;
  user: Pick<User, "id" | "name" | "email" | "role">;
}

const KEY = "eventforge.session";
const listeners = new Set<() => void>();

function read(): SignedIn | undefined {
  const raw = localStorage.getItem(KEY);
  if (!raw) return undefined;
  try {
    const stored = JSON.parse(raw) as SignedIn;
    if (stored.expires_at > Date.now()) return stored;
  } catch {
    // Not ours, or damaged: forget it.
  }
  localStorage.removeItem(KEY);
  return undefined;
}

let current = read();

function changed() {
  for (const listener of listeners) listener();
}

export const session = {
  current: (): SignedIn | undefined => {
    if (current && current.expires_at <= Date.now()) session.signOut();
    return current;
  },
  signIn(login: RouterOutputs["auth"]["login"]) {
    const { id, name, email, role } = login.user;
    current = {
      access_token: login.access_token,
      expires_at: Date.now() + login.expires_in * 1000,
      user: { id, name, email, role },
    };
    localStorage.setItem(KEY, JSON.stringify(current));
    changed();
  },
  signOut() {
    if (!current) return;
    current = undefined;
    localStorage.removeItem(KEY);
    changed();
  },
  onChange(listener: () => void) {
    listeners.add(listener);
  },
};
