import { webcrypto } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import { InvalidTokenError, TokenExpiredError } from "./errors.js";
import type { Actor, Role } from "./types.js";

const ALGORITHM = "HS256";
const ISSUER = "eventforge";

export interface TokenSigner {
  /** HMAC key, at least 32 bytes. */
  secret: Uint8Array;
  /** Lifetime of an access token in seconds. */
  ttlSeconds: number;
}

// What a signer has worked out once, for as long as the signer object lives (a server has one):
// - its HMAC key, imported into WebCrypto once (jose would import raw bytes on every sign and
//   verify, most of the cost of checking a token);
// - the tokens it has verified, until their `exp` (see verifyAccessToken).
// A signer's secret never changes after it is made, so nothing here can go stale.
interface SignerState {
  key: Promise<webcrypto.CryptoKey>;
  verified: Map<string, { actor: Actor; exp: number }>;
}
const stateOfSigner = new WeakMap<Pick<TokenSigner, "secret">, SignerState>();

function stateOf(signer: Pick<TokenSigner, "secret">): SignerState {
  let state = stateOfSigner.get(signer);
  if (!state) {
    const key = webcrypto.subtle.importKey("raw", signer.secret, { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    state = { key, verified: new Map() };
    stateOfSigner.set(signer, state);
  }
  return state;
}

export async function issueAccessToken(
  signer: TokenSigner,
  actor: Actor,
): Promise<{ access_token: string; expires_in: number }> {
  const accessToken = await new SignJWT({ role: actor.role })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(String(actor.userId))
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${signer.ttlSeconds}s`)
    .sign(await stateOf(signer).key);
  return { access_token: accessToken, expires_in: signer.ttlSeconds };
}

// Checking the HMAC is then the largest per-request cost left (WebCrypto runs it as an async job
// on the thread pool), and a client sends the same token with every request. So a token that
// verified is remembered by its signer, by its exact text, until its `exp`: the same check jose
// makes (valid while exp > now, in whole seconds), after which it is verified again and refused as
// expired. Nothing else about a token can change while it is remembered.
const VERIFIED_MAX = 10_000;

/**
 * The actor a token speaks for; throws TokenExpiredError or InvalidTokenError. A token that claims
 * to live longer than this signer issues tokens for (`exp - iat > ttlSeconds`), or was issued in
 * the future, is invalid: a leaked key must not mint tokens that outlive every rotation.
 */
export async function verifyAccessToken(signer: TokenSigner, token: string): Promise<Actor> {
  const { key, verified } = stateOf(signer);
  const known = verified.get(token);
  if (known && known.exp > Math.floor(Date.now() / 1000)) return { ...known.actor };
  let actor: Actor;
  let exp: number;
  try {
    const { payload } = await jwtVerify(token, await key, {
      algorithms: [ALGORITHM], // pinned: never let the token choose its own algorithm
      issuer: ISSUER,
      requiredClaims: ["sub", "exp", "iat"],
      // Also refuses an `iat` in the future.
      maxTokenAge: signer.ttlSeconds,
    });
    if ((payload.exp as number) - (payload.iat as number) > signer.ttlSeconds) throw new InvalidTokenError();
    const userId = Number(payload.sub);
    const role = payload.role;
    if (!Number.isSafeInteger(userId) || userId <= 0 || !isRole(role)) throw new InvalidTokenError();
    actor = { userId, role };
    exp = payload.exp as number;
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new TokenExpiredError();
    if (error instanceof InvalidTokenError) throw error;
    throw new InvalidTokenError();
  }
  if (verified.size >= VERIFIED_MAX) verified.clear();
  verified.set(token, { actor, exp });
  return { ...actor };
}

function isRole(value: unknown): value is Role {
  return value === "customer" || value === "admin";
}
