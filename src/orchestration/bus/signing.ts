/**
 * Message signing for buses that leave the process. Anyone who can reach Redis could otherwise
 * speak as any block; with a shared secret every frame is `<hmac>.<envelope json>`, where the
 * HMAC-SHA256 covers the exact JSON bytes, and a frame whose signature is missing or wrong is
 * dropped before it is even parsed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const SIG_HEX = 64;

export class FrameSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('WSOPTV_BUS_SECRET must be at least 32 characters');
    this.key = Buffer.from(secret, 'utf8');
  }

  sign(json: string): string {
    return createHmac('sha256', this.key).update(json).digest('hex') + '.' + json;
  }

  /** The JSON inside a correctly signed frame, or null. */
  open(frame: string): string | null {
    if (frame.length <= SIG_HEX + 1 || frame.charCodeAt(SIG_HEX) !== 46 /* . */) return null;
    const json = frame.slice(SIG_HEX + 1);
    const given = Buffer.from(frame.slice(0, SIG_HEX), 'hex');
    if (given.length !== SIG_HEX / 2) return null;
    const expected = createHmac('sha256', this.key).update(json).digest();
    return timingSafeEqual(given, expected) ? json : null;
  }
}
