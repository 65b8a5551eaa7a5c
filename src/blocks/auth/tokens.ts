/**
 * Access tokens are HS256 JWTs (sub = user id, sid = session id, role, typ = access). Refresh
 * tokens are opaque random strings; only their SHA-256 is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { SignJWT, errors, jwtVerify } from 'jose';
import type { AuthDB, Role } from './models.ts';

const ISSUER = 'wsoptv-auth';

export interface AccessClaims {
  sub: string;
  sid: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

export class Tokens {
  constructor(
    private readonly key: Uint8Array,
    private readonly ttlS: number,
  ) {}

  sign(userId: string, sessionId: string, role: Role): Promise<string> {
    return new SignJWT({ sid: sessionId, role, typ: 'access' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + this.ttlS)
      .sign(this.key);
  }

  /** The claims of a well-signed, unexpired access token; null for anything else. */
  async verify(token: string): Promise<AccessClaims | null> {
    try {
      const { payload: p } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        requiredClaims: ['sub', 'exp'],
      });
      if (
        p.typ !== 'access' ||
        typeof p.sid !== 'string' ||
        typeof p.sub !== 'string' ||
        typeof p.exp !== 'number'
      )
        return null;
      return { sub: p.sub, sid: p.sid, exp: p.exp };
    } catch (err) {
      if (err instanceof errors.JOSEError) return null;
      throw err;
    }
  }
}

export const newRefreshToken = (): string => randomBytes(32).toString('base64url');
export const sha256 = (text: string): string =>
  createHash('sha256').update(text).digest('base64url');

/**
 * The signing key: the configured secret, else one generated on the very first start and kept
 * in the database. Insert-if-absent then read back, so processes starting together agree.
 */
export async function signingKey(
  db: Kysely<AuthDB>,
  configured: string | undefined,
): Promise<Uint8Array> {
  if (configured) return new TextEncoder().encode(configured);
  await db
    .insertInto('settings')
    .values({ name: 'jwt_secret', value: randomBytes(48).toString('base64url') })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('name', '=', 'jwt_secret')
    .executeTakeFirstOrThrow();
  return new TextEncoder().encode(row.value);
}
