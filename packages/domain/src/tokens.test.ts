import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { InvalidTokenError, TokenExpiredError } from "./errors.js";
import { hashPassword, verifyPassword } from "./passwords.js";
import { issueAccessToken, verifyAccessToken } from "./tokens.js";

const signer = { secret: randomBytes(32), ttlSeconds: 600 };

/** A token for user 1 signed with our key, but with claims and algorithm of the test's choosing. */
const signByHand = (claims: Record<string, unknown>, alg: string) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg })
    .setSubject("1")
    .setIssuer("eventforge")
    .setExpirationTime("5m")
    .sign(signer.secret);

describe("access tokens", () => {
  // Tokens count time in whole seconds. The clock stands still at a known instant (only Date is
  // faked: WebCrypto and timers run as usual) so that signing and verifying never straddle a
  // second, and a test moves time on instead of waiting for it.
  const start = new Date("2026-12-01T12:00:00.000Z");
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(start);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("round-trips the actor and reports its lifetime", async () => {
    const { access_token, expires_in } = await issueAccessToken(signer, { userId: 42, role: "admin" });
    expect(expires_in).toBe(600);
    expect(await verifyAccessToken(signer, access_token)).toEqual({ userId: 42, role: "admin" });
  });

  it("refuses an expired token with its own error", async () => {
    const { access_token } = await issueAccessToken(
      { ...signer, ttlSeconds: -5 },
      { userId: 1, role: "customer" },
    );
    await expect(verifyAccessToken(signer, access_token)).rejects.toBeInstanceOf(TokenExpiredError);
  });

  it("refuses tokens signed with another key, another algorithm, or tampered claims", async () => {
    const other = await issueAccessToken(
      { ...signer, secret: randomBytes(32) },
      { userId: 1, role: "admin" },
    );
    await expect(verifyAccessToken(signer, other.access_token)).rejects.toBeInstanceOf(InvalidTokenError);

    const hs512 = await signByHand({ role: "admin" }, "HS512");
    await expect(verifyAccessToken(signer, hs512)).rejects.toBeInstanceOf(InvalidTokenError);

    const { access_token } = await issueAccessToken(signer, { userId: 7, role: "customer" });
    const [header, , signature] = access_token.split(".");
    const claims = Buffer.from(
      JSON.stringify({ sub: "7", role: "admin", iss: "eventforge", exp: 9e9 }),
    ).toString("base64url");
    await expect(verifyAccessToken(signer, `${header}.${claims}.${signature}`)).rejects.toBeInstanceOf(
      InvalidTokenError,
    );
    await expect(verifyAccessToken(signer, "garbage")).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it("a token that verified once is refused once it expires, and with another secret", async () => {
    const { access_token } = await issueAccessToken(
      { ...signer, ttlSeconds: 1 },
      { userId: 3, role: "customer" },
    );
    expect(await verifyAccessToken(signer, access_token)).toEqual({ userId: 3, role: "customer" });
    expect(await verifyAccessToken(signer, access_token)).toEqual({ userId: 3, role: "customer" });
    await expect(
      verifyAccessToken({ ...signer, secret: randomBytes(32) }, access_token),
    ).rejects.toBeInstanceOf(InvalidTokenError);
    // Valid until the last millisecond before `exp`, remembered or not; refused from `exp` on.
    vi.setSystemTime(start.getTime() + 999);
    expect(await verifyAccessToken(signer, access_token)).toEqual({ userId: 3, role: "customer" });
    vi.setSystemTime(start.getTime() + 1_000);
    await expect(verifyAccessToken(signer, access_token)).rejects.toBeInstanceOf(TokenExpiredError);
  });

  it("refuses a well-signed token that lives longer than the configured lifetime or has no iat", async () => {
    const now = Math.floor(Date.now() / 1000);
    const longLived = (claims: Record<string, unknown>) =>
      new SignJWT({ role: "admin", ...claims })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("1")
        .setIssuer("eventforge")
        .sign(signer.secret);
    // exp in 2100, and one second more than the 600 s a token may live.
    for (const claims of [
      { iat: now, exp: 4_102_444_800 },
      { iat: now, exp: now + signer.ttlSeconds + 1 },
      // Issued "in the future" so that exp - iat looks right.
      { iat: now + 3_600, exp: now + 3_600 + signer.ttlSeconds },
      { exp: now + 60 },
    ]) {
      await expect(
        verifyAccessToken(signer, await longLived(claims)),
        JSON.stringify(claims),
      ).rejects.toBeInstanceOf(InvalidTokenError);
    }
    // Exactly the configured lifetime is fine.
    expect(
      await verifyAccessToken(signer, await longLived({ iat: now, exp: now + signer.ttlSeconds })),
    ).toEqual({
      userId: 1,
      role: "admin",
    });
  });

  it("refuses a well-signed token without a usable subject or role", async () => {
    const noRole = await signByHand({}, "HS256");
    await expect(verifyAccessToken(signer, noRole)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});

describe("passwords", () => {
  it("are hashed with argon2id at OWASP's parameters, salted, and verified", async () => {
    const [a, b] = await Promise.all([hashPassword("s3cret pass"), hashPassword("s3cret pass")]);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/u);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, "s3cret pass")).toBe(true);
    expect(await verifyPassword(a, "s3cret pasS")).toBe(false);
    expect(await verifyPassword("not a hash", "s3cret pass")).toBe(false);
  });
});
