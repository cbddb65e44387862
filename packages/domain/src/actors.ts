import { type Database, findUserById } from "@eventforge/db";
import { InvalidTokenError } from "./errors.js";
import type { Actor } from "./types.js";

/**
 * The actor with the role its account has now: a token says who signed in and what they were
 * then, the database says what they may do now. A deleted account's token is no longer valid.
 */
export async function currentActor(db: Database, actor: Actor): Promise<Actor> {
  const user = await findUserById(db, actor.userId);
  if (!user) throw new InvalidTokenError();
  return user.role === actor.role ? actor : { userId: actor.userId, role: user.role };
}
