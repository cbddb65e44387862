import {
  type Database,
  findAnyAdmin,
  findUserById,
  findUserCredentialsByEmail,
  insertUser,
  isUniqueViolation,
  updateUserAdminAccess,
} from "@eventforge/db";
import { EmailTakenError, InvalidCredentialsError, type ServiceErrors, UserNotFoundError } from "./errors.js";
import { decoyPasswordHash, hashPassword, verifyPassword } from "./passwords.js";
import { issueAccessToken, type TokenSigner } from "./tokens.js";
import type { Role, User } from "./types.js";

export interface NewUser {
  name: string;
  phone_number: string;
  email: string;
  password: string;
}

/** What createUser can throw: its reasons and their details in the OpenAPI document and the client. */
export const createUserErrors = [EmailTakenError] as const satisfies ServiceErrors;

export async function createUser(db: Database, input: NewUser, role: Role = "customer"): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await insertUser(db, {
      name: input.name,
      phone_number: input.phone_number,
      email: input.email,
      password_hash: passwordHash,
      role,
    });
  } catch (error) {
    if (isUniqueViolation(error, "users_email_lower_key")) throw new EmailTakenError();
    throw error;
  }
}

/** What getUser can throw: its reasons and their details in the OpenAPI document and the client. */
export const getUserErrors = [UserNotFoundError] as const satisfies ServiceErrors;

export async function getUser(db: Database, userId: number): Promise<User> {
  const user = await findUserById(db, userId);
  if (!user) throw new UserNotFoundError(userId);
  return user;
}

/** Checks email and password; every failure is the same "invalid credentials". */
async function authenticate(db: Database, credentials: { email: string; password: string }) {
  const found = await findUserCredentialsByEmail(db, credentials.email);
  const ok = await verifyPassword(found?.password_hash ?? (await decoyPasswordHash()), credentials.password);
  if (!found || !ok) throw new InvalidCredentialsError();
  const { password_hash: _, ...user } = found;
  return user satisfies User;
}

/** What login can throw: its reasons and their details in the OpenAPI document and the client. */
export const loginErrors = [InvalidCredentialsError] as const satisfies ServiceErrors;

export async function login(
  db: Database,
  signer: TokenSigner,
  credentials: { email: string; password: string },
) {
  const user = await authenticate(db, credentials);
  const token = await issueAccessToken(signer, { userId: user.id, role: user.role });
  return { ...token, token_type: "bearer" as const, user };
}

export type AdminBootstrap =
  | { kind: "created"; user: User; password: string; generated: boolean }
  | { kind: "updated"; user: User }
  | { kind: "unchanged"; user: User };

/**
 * Makes sure the configured admin exists with the configured password (creating it, or
 * promoting and re-keying an existing account of that email).
 */
export async function ensureAdmin(
  db: Database,
  admin: { email: string; password: string; name?: string },
): Promise<AdminBootstrap> {
  const existing = await findUserCredentialsByEmail(db, admin.email);
  if (!existing) {
    try {
      const user = await createUser(
        db,
        {
          name: admin.name ?? "Administrator",
          phone_number: "",
          email: admin.email,
          password: admin.password,
        },
        "admin",
      );
      return { kind: "created", user, password: admin.password, generated: false };
    } catch (error) {
      // Several instances starting at once: another one created the account first. It exists now
      // (the lookup and the unique index both ignore case), so the second pass finds it.
      if (error instanceof EmailTakenError) return ensureAdmin(db, admin);
      throw error;
    }
  }
  const { password_hash: passwordHash, ...user } = existing;
  if (user.role === "admin" && (await verifyPassword(passwordHash, admin.password))) {
    return { kind: "unchanged", user };
  }
  return {
    kind: "updated",
    user: await updateUserAdminAccess(db, user.id, await hashPassword(admin.password)),
  };
}

/** For a development start without configured credentials: an admin with a random password, once. */
export async function ensureSomeAdmin(db: Database, generatePassword: () => string): Promise<AdminBootstrap> {
  const existing = await findAnyAdmin(db);
  if (existing) return { kind: "unchanged", user: existing };
  const password = generatePassword();
  const result = await ensureAdmin(db, { email: "admin@eventforge.local", password });
  return result.kind === "created" ? { ...result, generated: true } : result;
}
