import { type Kysely, sql } from "kysely";
import type { DB } from "../generated/db.js";

const publicUserColumns = ["id", "name", "phone_number", "email", "role", "created_at"] as const;

export interface NewUserRow {
  name: string;
  phone_number: string;
  email: string;
  password_hash: string;
  role: "customer" | "admin";
}

/** Throws a unique violation on `users_email_lower_key` when the email is taken. */
export function insertUser(db: Kysely<DB>, user: NewUserRow) {
  return db.insertInto("users").values(user).returning(publicUserColumns).executeTakeFirstOrThrow();
}

export function findUserById(db: Kysely<DB>, id: number) {
  return db.selectFrom("users").select(publicUserColumns).where("id", "=", id).executeTakeFirst();
}

/** The one query that reads password_hash: for sign-in only. */
export function findUserCredentialsByEmail(db: Kysely<DB>, email: string) {
  return db
    .selectFrom("users")
    .select([...publicUserColumns, "password_hash"])
    .where(sql<string>`lower(email)`, "=", email.toLowerCase())
    .executeTakeFirst();
}

export function findAnyAdmin(db: Kysely<DB>) {
  return db
    .selectFrom("users")
    .select(publicUserColumns)
    .where("role", "=", "admin")
    .orderBy("id")
    .limit(1)
    .executeTakeFirst();
}

export function updateUserAdminAccess(db: Kysely<DB>, id: number, passwordHash: string) {
  return db
    .updateTable("users")
    .set({ role: "admin", password_hash: passwordHash })
    .where("id", "=", id)
    .returning(publicUserColumns)
    .executeTakeFirstOrThrow();
}
