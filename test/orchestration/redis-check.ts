/** Whether the test Redis answers, decided once when a test file loads. */
import { Redis } from 'ioredis';

export const redisUrl = process.env.WSOPTV_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function ping(): Promise<boolean> {
  const client = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export const redisReachable = await ping();
