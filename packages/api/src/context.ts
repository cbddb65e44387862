import type { IncomingMessage } from "node:http";
import type { Database } from "@eventforge/db";
import {
  type Actor,
  DomainError,
  InvalidTokenError,
  type TokenSigner,
  verifyAccessToken,
} from "@eventforge/domain";
import type { LoginThrottle } from "./login-throttle.js";

export interface ContextDeps {
  db: Database;
  tokens: TokenSigner;
  loginThrottle: LoginThrottle;
  /** Active holds one user may have on one show (EVENTFORGE_MAX_HOLDS_PER_SHOW); 0 = no cap. */
  maxHoldsPerShow: number;
}

export interface Context extends ContextDeps {
  /** The signed-in caller, or null. */
  actor: Actor | null;
  /** Why a presented token was rejected; raised only by procedures that need a signed-in caller. */
  authError: DomainError | null;
  /** The peer's IP address, for throttling; null outside HTTP. */
  clientAddress: string | null;
}

/** The context without any transport: what tests use with `createCaller`. */
export function createContextInner(
  opts: ContextDeps & { actor?: Actor | null; authError?: DomainError | null; clientAddress?: string | null },
): Context {
  return {
    db: opts.db,
    tokens: opts.tokens,
    loginThrottle: opts.loginThrottle,
    maxHoldsPerShow: opts.maxHoldsPerShow,
    actor: opts.actor ?? null,
    authError: opts.authError ?? null,
    clientAddress: opts.clientAddress ?? null,
  };
}

/** Builds the context of an HTTP request from its `Authorization: Bearer <token>` header. */
export function createHttpContextFactory(deps: ContextDeps) {
  return async ({ req }: { req: IncomingMessage }) => {
    const base = { ...deps, clientAddress: req.socket.remoteAddress ?? null };
    const header = req.headers.authorization;
    if (header === undefined) return createContextInner(base);
    const match = /^Bearer\s+(\S+)\s*$/iu.exec(header);
    if (!match?.[1]) return createContextInner({ ...base, authError: new InvalidTokenError() });
    try {
      return createContextInner({ ...base, actor: await verifyAccessToken(deps.tokens, match[1]) });
    } catch (error) {
      if (error instanceof DomainError) return createContextInner({ ...base, authError: error });
      throw error;
    }
  };
}
