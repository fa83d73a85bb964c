/**
 * Session tokens: HS256 JWTs with pinned algorithm, issuer and audience. The secret comes from
 * JWT_SECRET or, when unset, is generated once and kept in DATA_DIR/jwt-secret (mode 0600).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError, type Config, ExpiringCache } from '@linksnap/shared';
import { jwtVerify, SignJWT } from 'jose';

const ISSUER = 'linksnap';
const AUDIENCE = 'linksnap-api';
/**
 * Verified tokens are remembered for a short while: the HMAC check costs more than the rest
 * of a small request. A session token cannot be revoked (it lives until `exp`), so a cached
 * verdict is exactly as strict as a fresh one as long as it never outlives `exp`.
 */
const VERIFIED_CACHE_MS = 5 * 60_000;
const VERIFIED_CACHE_ENTRIES = 10_000;

export function loadJwtSecret(config: Pick<Config, 'JWT_SECRET' | 'DATA_DIR'>): Uint8Array {
  if (config.JWT_SECRET !== undefined) return new TextEncoder().encode(config.JWT_SECRET);
  const file = path.join(config.DATA_DIR, 'jwt-secret');
  mkdirSync(config.DATA_DIR, { recursive: true });
  try {
    // `wx`: when two processes start together, exactly one writes and both read the same bytes.
    writeFileSync(file, randomBytes(48).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err;
  }
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim());
}

/** A key for another purpose (e.g. signing archive URLs), derived so it never equals the JWT key. */
export function deriveKey(secret: Uint8Array, purpose: string): Buffer {
  return createHmac('sha256', secret).update(`linksnap:${purpose}`).digest();
}

export class TokenService {
  private readonly verified: ExpiringCache<string, string>;

  constructor(
    private readonly secret: Uint8Array,
    private readonly ttlSeconds: number,
    /** Epoch ms; tests move it. */
    private readonly now: () => number = Date.now,
  ) {
    this.verified = new ExpiringCache(VERIFIED_CACHE_ENTRIES, now);
  }

  async issue(userId: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(Math.floor(this.now() / 1000))
      .setExpirationTime(Math.floor(this.now() / 1000) + this.ttlSeconds)
      .sign(this.secret);
  }

  /** The user id of a valid token; UNAUTHENTICATED for anything else. */
  async verify(token: string): Promise<string> {
    const now = this.now();
    const cached = this.verified.get(token);
    if (cached !== undefined) return cached;
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        // jose accepts a token without `exp` unless told otherwise: such a token would never expire.
        requiredClaims: ['exp', 'iat', 'sub'],
        currentDate: new Date(now),
      });
      if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('no subject');
      // jose refused it unless exp > now (seconds): it stays valid until exp * 1000 ms.
      this.verified.set(token, payload.sub, Math.min((payload.exp as number) * 1000, now + VERIFIED_CACHE_MS));
      return payload.sub;
    } catch {
      throw new AppError('UNAUTHENTICATED', 'The access token is invalid or has expired.');
    }
  }
}
