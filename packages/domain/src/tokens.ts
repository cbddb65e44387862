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

// Importing the HMAC key is most of the cost of checking a token (WebCrypto builds a CryptoKey
// every time jose is handed raw bytes), so each secret is imported once. Keyed by the secret's
// bytes, not its identity, so a changed secret can never be served by a stale key.
const hmacKeys = new Map<string, Promise<webcrypto.CryptoKey>>();

const secretId = (secret: Uint8Array) => Buffer.from(secret).toString("base64");

function hmacKey(secret: Uint8Array): Promise<webcrypto.CryptoKey> {
  const id = secretId(secret);
  let key = hmacKeys.get(id);
  if (!key) {
    if (hmacKeys.size >= 16) hmacKeys.clear(); // a server has one secret; tests make many
    key = webcrypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    hmacKeys.set(id, key);
  }
  return key;
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
    .sign(await hmacKey(signer.secret));
  return { access_token: accessToken, expires_in: signer.ttlSeconds };
}

// Checking the HMAC is then the largest per-request cost left (WebCrypto runs it as an async job
// on the thread pool), and a client sends the same token with every request. So a token that
// verified is remembered, by its exact text and the secret it verified with, until its `exp`:
// the same check jose makes (valid while exp > now, in whole seconds), after which it is verified
// again and refused as expired. Nothing else about a token can change while it is remembered.
const verified = new Map<string, { actor: Actor; exp: number }>();
const VERIFIED_MAX = 10_000;

/** The actor a token speaks for; throws TokenExpiredError or InvalidTokenError. */
export async function verifyAccessToken(signer: Pick<TokenSigner, "secret">, token: string): Promise<Actor> {
  const cacheKey = `${secretId(signer.secret)} ${token}`;
  const known = verified.get(cacheKey);
  if (known && known.exp > Math.floor(Date.now() / 1000)) return { ...known.actor };
  let actor: Actor;
  let exp: number;
  try {
    const { payload } = await jwtVerify(token, await hmacKey(signer.secret), {
      algorithms: [ALGORITHM], // pinned: never let the token choose its own algorithm
      issuer: ISSUER,
      requiredClaims: ["sub", "exp"],
    });
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
  verified.set(cacheKey, { actor, exp });
  return { ...actor };
}

function isRole(value: unknown): value is Role {
  return value === "customer" || value === "admin";
}
