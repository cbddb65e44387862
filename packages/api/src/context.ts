import type { Database } from "@eventforge/db";
import {
  type Actor,
  DomainError,
  InvalidTokenError,
  type TokenSigner,
  verifyAccessToken,
} from "@eventforge/domain";

export interface ContextDeps {
  db: Database;
  tokens: TokenSigner;
}

export interface Context extends ContextDeps {
  /** The signed-in caller, or null. */
  actor: Actor | null;
  /** Why a presented token was rejected; raised only by procedures that need a signed-in caller. */
  authError: DomainError | null;
}

/** The context without any transport: what tests use with `createCaller`. */
export function createContextInner(
  opts: ContextDeps & { actor?: Actor | null; authError?: DomainError | null },
): Context {
  return { db: opts.db, tokens: opts.tokens, actor: opts.actor ?? null, authError: opts.authError ?? null };
}

/** Builds the context of an HTTP request from its `Authorization: Bearer <token>` header. */
export function createHttpContextFactory(deps: ContextDeps) {
  return async ({ req }: { req: { headers: Record<string, string | string[] | undefined> } }) => {
    const header = req.headers.authorization;
    if (header === undefined) return createContextInner(deps);
    const match = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/iu.exec(header) : null;
    if (!match?.[1]) return createContextInner({ ...deps, authError: new InvalidTokenError() });
    try {
      return createContextInner({ ...deps, actor: await verifyAccessToken(deps.tokens, match[1]) });
    } catch (error) {
      if (error instanceof DomainError) return createContextInner({ ...deps, authError: error });
      throw error;
    }
  };
}
