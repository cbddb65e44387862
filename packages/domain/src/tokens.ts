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
    .sign(signer.secret);
  return { access_token: accessToken, expires_in: signer.ttlSeconds };
}

/** The actor a token speaks for; throws TokenExpiredError or InvalidTokenError. */
export async function verifyAccessToken(signer: Pick<TokenSigner, "secret">, token: string): Promise<Actor> {
  try {
    const { payload } = await jwtVerify(token, signer.secret, {
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
