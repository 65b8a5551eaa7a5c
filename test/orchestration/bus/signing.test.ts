/**
 * The authenticated bus: with a shared secret every frame is HMAC-signed; frames without a
 * signature, with a wrong one, or altered on the way are dropped and counted, never delivered.
 */
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { RedisBus } from '../../../src/orchestration/bus/redis.ts';
import { FrameSigner } from '../../../src/orchestration/bus/signing.ts';
import type { Envelope } from '../../../src/orchestration/message.ts';
import { makeEnvelope, recordingObserver, uniqueChannel } from '../../support/bus.ts';
import { describeRedis, redisUrl } from '../../support/redis.ts';
import { waitFor } from '../../support/wait.ts';

const SECRET = 'a-shared-secret-of-at-least-32-characters!';

describeRedis('signed frames on Redis', () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  async function bus(secret?: string) {
    const observer = recordingObserver();
    const b = new RedisBus({ url: redisUrl, secret }, observer);
    await b.connect();
    closers.push(() => b.close());
    return { b, observer };
  }

  it('delivers between holders of the secret and drops everything else', async () => {
    const channel = uniqueChannel('signed');
    const receiver = await bus(SECRET);
    const got: Envelope[] = [];
    await receiver.b.subscribe(channel, (m) => void got.push(m));
    const friend = await bus(SECRET);
    const stranger = await bus(undefined);
    const impostor = await bus('another-secret-that-is-also-long-enough!!');
    const raw = new Redis(redisUrl);
    closers.push(() => raw.quit());

    await stranger.b.publish(channel, makeEnvelope({ n: 'unsigned' }));
    await impostor.b.publish(channel, makeEnvelope({ n: 'wrong key' }));
    const signed = new FrameSigner(SECRET).sign(JSON.stringify(makeEnvelope({ n: 'original' })));
    await raw.publish(`block:${channel}`, signed.replace('original', 'tampered'));
    await raw.publish(`block:${channel}`, 'not even a frame');
    await friend.b.publish(channel, makeEnvelope({ n: 'friend' }));

    await waitFor(() => got.length === 1 && receiver.observer.drops.length === 4, 3000);
    expect(got.map((m) => (m.payload as { n: string }).n)).toEqual(['friend']);
    expect(receiver.observer.drops.map((d) => d.reason)).toEqual(
      Array(4).fill('missing or wrong signature'),
    );
    expect(receiver.b.counters().dropped).toBe(4);
  });

  it('refuses a short secret', () => {
    expect(() => new FrameSigner('short')).toThrow(/32 characters/);
  });
});
