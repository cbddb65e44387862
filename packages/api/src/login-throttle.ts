import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

/**
 * Slows password guessing: after `failures` sign-in attempts for one email from one address
 * without a success, within `windowSeconds`, further attempts are refused (429) until the window
 * passes.
 * Keyed by address and email together, so one attacker cannot lock a customer out everywhere.
 */
export interface LoginThrottle {
  /**
   * Counts an attempt before the password is checked (so concurrent guesses cannot all slip
   * past the limit); returns 0 when it may go ahead, else the seconds to wait.
   */
  attempt(key: string): Promise<number>;
  /** A successful sign-in clears the count. */
  reset(key: string): Promise<void>;
}

export function createLoginThrottle({ failures = 10, windowSeconds = 15 * 60 } = {}): LoginThrottle {
  const limiter = new RateLimiterMemory({ points: failures, duration: windowSeconds });
  return {
    async attempt(key) {
      try {
        await limiter.consume(key);
        return 0;
      } catch (error) {
        if (error instanceof RateLimiterRes) return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        throw error;
      }
    },
    async reset(key) {
      await limiter.delete(key);
    },
  };
}

export const loginThrottleKey = (clientAddress: string | null, email: string) =>
  `${clientAddress ?? "local"}|${email.trim().toLowerCase()}`;
