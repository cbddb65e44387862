import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

/**
 * Slows password guessing: after `failures` wrong passwords for one email from one address
 * within `windowSeconds`, further attempts are refused (429) until the window passes.
 * Keyed by address and email together, so one attacker cannot lock a customer out everywhere.
 */
export interface LoginThrottle {
  /** Seconds to wait before trying again, or 0 when an attempt is allowed. */
  retryAfter(key: string): Promise<number>;
  recordFailure(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

export function createLoginThrottle({ failures = 10, windowSeconds = 15 * 60 } = {}): LoginThrottle {
  const limiter = new RateLimiterMemory({ points: failures, duration: windowSeconds });
  return {
    async retryAfter(key) {
      const state = await limiter.get(key);
      return state && state.remainingPoints <= 0 ? Math.ceil(state.msBeforeNext / 1000) : 0;
    },
    async recordFailure(key) {
      await limiter.consume(key).catch((error: unknown) => {
        if (!(error instanceof RateLimiterRes)) throw error; // already exhausted: nothing more to count
      });
    },
    async reset(key) {
      await limiter.delete(key);
    },
  };
}

export const loginThrottleKey = (clientAddress: string | null, email: string) =>
  `${clientAddress ?? "local"}|${email.trim().toLowerCase()}`;
