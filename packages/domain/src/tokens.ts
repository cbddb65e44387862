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

function hmacKey(secret: Uint8Array): Promise<webcrypto.CryptoKey> {
  const id = Buffer.from(secret).toString("base64");
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

/** The actor a token speaks for; throws TokenExpiredError or InvalidTokenError. */
export async function verifyAccessToken(signer: Pick<TokenSigner, "secret">, token: string): Promise<Actor> {
  try {
    const { payload } = await jwtVerify(token, await hmacKey(signer.secret), {
      algorithms: [ALGORITHM], // pinned: never let the token choose its own algorithm
      issuer: ISSUER,
      requiredClaims: ["sub", "exp"],
    });
    const userId = Number(payload.sub);
    const role = payload.role;
    if (!Number.isSafeInteger(userId) || userId <= 0 || !isRole(role)) throw new InvalidTokenError();
    return { userId, role };
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new TokenExpiredError();
    if (error instanceof InvalidTokenError) throw error;
    throw new InvalidTokenError();
  }
}

function isRole(value: unknown): value is Role {
  return value === "customer" || value === "admin";
}
