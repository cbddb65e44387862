import type { Database } from "@eventforge/db";
import { TRPCError } from "@trpc/server";
import { CompiledQuery } from "kysely";
import {
  type IRateLimiterStoreOptions,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";

/** One limit: at most `points` requests per key in `windowSeconds`. Named in the RateLimit headers. */
export interface RateLimitPolicy {
  name: string;
  points: number;
  windowSeconds: number;
}

/** Why a request was refused with 429: what its Retry-After and RateLimit headers say. */
export class RateLimitRefusal extends Error {
  constructor(
    readonly policy: RateLimitPolicy,
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
    this.name = "RateLimitRefusal";
  }
}

export interface RateLimiter {
  /** The limit; null when it is off (`0` in its setting). */
  readonly policy: RateLimitPolicy | null;
  /** Counts one request for `key`; throws a TOO_MANY_REQUESTS TRPCError past the limit. */
  consume(key: string, message?: string): Promise<void>;
  /** Forgets the requests counted for `key` (a successful sign-in clears its failures). */
  reset(key: string): Promise<void>;
}

/** The limits of docs/design.md, Abuse limits, each shared by every instance through the store. */
export interface RateLimits {
  /** Holds (single and multi-seat) per signed-in user. */
  holds: RateLimiter;
  /** Sign-ups per client address. */
  signups: RateLimiter;
  /** Sign-in attempts per client address, across emails. */
  loginsPerAddress: RateLimiter;
  /** Failed sign-ins per (client address, email); a success clears it. */
  loginFailures: RateLimiter;
}

/**
 * Where counts live: PostgreSQL (the `rate_limits` table of migration 2026_12_01_0003, so every
 * instance on one database shares them), Redis (an ioredis client), or this process's memory
 * (for tests that need no sharing).
 */
export type RateLimitStore =
  | { kind: "postgres"; db: Database }
  | { kind: "redis"; client: IRateLimiterStoreOptions["storeClient"] }
  | { kind: "memory" };

export interface RateSettings {
  holdsPerMinute: number;
  signupsPerHour: number;
  loginsPerHour: number;
  /** Failed sign-ins for one email from one address before it is refused for the window. */
  loginFailures?: { points: number; windowSeconds: number };
}

/** Every limit off: for callers (tests) that do not exercise them. */
export const UNLIMITED_RATES: RateSettings = { holdsPerMinute: 0, signupsPerHour: 0, loginsPerHour: 0 };

const DEFAULT_LOGIN_FAILURES = { points: 10, windowSeconds: 15 * 60 };

/**
 * The limiters over one store. `namespace` keeps the keys of deployments that share a Redis apart
 * (the server passes its database's name: instances on one database share their limits).
 */
export function createRateLimits(
  store: RateLimitStore,
  rates: RateSettings,
  namespace = "eventforge",
): RateLimits {
  const limiter = (name: string, points: number, windowSeconds: number) =>
    createRateLimiter(store, { name, points, windowSeconds }, namespace);
  const failures = rates.loginFailures ?? DEFAULT_LOGIN_FAILURES;
  return {
    holds: limiter("holds", rates.holdsPerMinute, 60),
    signups: limiter("signups", rates.signupsPerHour, 3_600),
    loginsPerAddress: limiter("logins", rates.loginsPerHour, 3_600),
    loginFailures: limiter("login-failures", failures.points, failures.windowSeconds),
  };
}

function createRateLimiter(store: RateLimitStore, policy: RateLimitPolicy, namespace: string): RateLimiter {
  if (policy.points === 0) {
    return { policy: null, consume: async () => {}, reset: async () => {} };
  }
  const options = {
    keyPrefix: `${namespace}:${policy.name}`,
    points: policy.points,
    duration: policy.windowSeconds,
    // A key past its limit is refused from memory for the rest of its window: a flood from one
    // client costs this instance no store round trips.
    inMemoryBlockOnConsumed: policy.points + 1,
  };
  const limiter =
    store.kind === "postgres"
      ? new RateLimiterPostgres({
          ...options,
          storeClient: kyselyStoreClient(store.db),
          storeType: "pool",
          tableName: "rate_limits",
          tableCreated: true,
        })
      : store.kind === "redis"
        ? new RateLimiterRedis({
            ...options,
            storeClient: store.client,
            // Redis down: count in this process rather than refuse or fail every request.
            insuranceLimiter: new RateLimiterMemory(options),
          })
        : new RateLimiterMemory(options);
  return {
    policy,
    async consume(key, message) {
      try {
        await limiter.consume(key);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error; // the store failed: its own error
        const retryAfterSeconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        const text = `${message ?? `too many requests (${policy.name})`}: try again in ${retryAfterSeconds} s`;
        throw new TRPCError({
          code: "TOO_MANY_REQUESTS",
          message: text,
          cause: new RateLimitRefusal(policy, retryAfterSeconds, text),
        });
      }
    },
    async reset(key) {
      await limiter.delete(key);
    },
  };
}

/**
 * rate-limiter-flexible's PostgreSQL store needs only `query({text, values})`: run it through the
 * server's Kysely handle, so it shares the pool and its fault handling (timeouts, lost connections).
 */
function kyselyStoreClient(db: Database) {
  return {
    async query(query: { text: string; values?: unknown[] }) {
      const result = await db.executeQuery(CompiledQuery.raw(query.text, query.values ?? []));
      return {
        rows: result.rows,
        rowCount: result.numAffectedRows === undefined ? result.rows.length : Number(result.numAffectedRows),
      };
    },
  };
}

/** The headers of a 429 (IETF draft-ietf-httpapi-ratelimit-headers): Retry-After, RateLimit-Policy, RateLimit. */
export function rateLimitHeaders(refusal: RateLimitRefusal): Record<string, string> {
  const { name, points, windowSeconds } = refusal.policy;
  return {
    "retry-after": String(refusal.retryAfterSeconds),
    "ratelimit-policy": `"${name}";q=${points};w=${windowSeconds}`,
    ratelimit: `"${name}";r=0;t=${refusal.retryAfterSeconds}`,
  };
}

export const loginFailureKey = (clientAddress: string | null, email: string) =>
  `${clientAddress ?? "local"}|${email.trim().toLowerCase()}`;
