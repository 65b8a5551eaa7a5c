/**
 * Signed media URLs for the <video> element, which cannot send an Authorization header.
 * A token is `<payload>.<mac>`, both base64url: the payload is the JSON array
 * [user id, auth session id, content id, playback session id, issued-at ms, expiry ms], the mac
 * HMAC-SHA256 over "wsoptv-media:v1." + payload with a 256-bit key, compared in constant time.
 * The key is made once and kept in `<data dir>/stream/media-url.key` (mode 0600); processes
 * sharing the data directory all end up with the same key.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Who (user, auth session) may play what (content) in which playback session, from when until when
 * (epoch ms).
 */
export type MediaClaims = {
  user_id: string;
  auth_session_id: string;
  content_id: string;
  session_id: string;
  issued_at: number;
  expires_at: number;
};

export type Verified =
  { ok: true; claims: MediaClaims } | { ok: false; why: 'is invalid' | 'has expired' };

const MAX_TOKEN = 1024;
const KNOWN_MAX = 10_000;
const INVALID: Verified = { ok: false, why: 'is invalid' };
const SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

export async function loadOrCreateKey(dataDir: string): Promise<Buffer> {
  const file = join(dataDir, 'stream', 'media-url.key');
  const ignore = (code: string) => (err: NodeJS.ErrnoException) =>
    err.code === code ? undefined : Promise.reject(err);
  let hex = await readFile(file, 'utf8').catch(ignore('ENOENT'));
  if (hex === undefined) {
    // Written under a private name, then linked into place: link(2) fails if the name exists, so
    // the first process wins.
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    await link(tmp, file)
      .catch(ignore('EEXIST'))
      .finally(() => unlink(tmp));
    hex = await readFile(file, 'utf8');
  }
  if (!/^[0-9a-f]{64}$/.test(hex.trim()))
    throw new Error(
      `${file} is not a 64-digit hex key: delete it to make a new one (issued media URLs stop working)`,
    );
  return Buffer.from(hex.trim(), 'hex');
}

/** The signed payload: user, auth session, content, playback session, issued at, expires at. */
type Payload = [string, string, string, string, number, number];

export class MediaTokens {
  /**
   * Tokens already verified (a playback sends one token with every range request): no HMAC each
   * time.
   */
  private readonly known = new Map<string, MediaClaims>();

  constructor(private readonly key: Buffer) {}

  sign(c: Omit<MediaClaims, 'issued_at'>, now = Date.now()): string {
    const payload = Buffer.from(
      JSON.stringify([c.user_id, c.auth_session_id, c.content_id, c.session_id, now, c.expires_at]),
    ).toString('base64url');
    return `${payload}.${this.mac(payload).toString('base64url')}`;
  }

  verify(token: string, now = Date.now()): Verified {
    const known = this.known.get(token);
    if (known)
      return known.expires_at <= now
        ? { ok: false, why: 'has expired' }
        : { ok: true, claims: known };
    // Strict alphabet: Node's base64url decoder skips stray characters, which would make tokens
    // malleable.
    if (token.length > MAX_TOKEN || !SHAPE.test(token)) return INVALID;
    const [payload, mac] = token.split('.') as [string, string];
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(payload);
    let a: unknown;
    try {
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return INVALID;
      a = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return INVALID;
    }
    if (
      !Array.isArray(a) ||
      a.length !== 6 ||
      !a.every((x, i) => (i < 4 ? typeof x === 'string' : Number.isFinite(x)))
    )
      return INVALID;
    // the shape just checked
    const [user_id, auth_session_id, content_id, session_id, issued_at, expires_at] = a as Payload;
    const claims = { user_id, auth_session_id, content_id, session_id, issued_at, expires_at };
    if (this.known.size >= KNOWN_MAX) this.known.delete(this.known.keys().next().value!);
    this.known.set(token, claims);
    return expires_at <= now ? { ok: false, why: 'has expired' } : { ok: true, claims };
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(`wsoptv-media:v1.${payload}`).digest();
  }
}
