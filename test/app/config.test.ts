import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/app/config.ts';

describe('configuration', () => {
  it('has working defaults and freezes the result', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.redisUrl).toBeUndefined();
    expect(c.orchestrator.requestTimeoutMs).toBeGreaterThan(0);
    expect(c.orchestrator.httpHealthIntervalMs).toBe(30_000);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.orchestrator.breaker)).toBe(true);
  });

  it('treats empty strings as unset and parses lists', () => {
    const c = loadConfig({ REDIS_URL: '', WSOPTV_BLOCKS: 'auth, stream ,' });
    expect(c.redisUrl).toBeUndefined();
    expect(c.blocks).toEqual(['auth', 'stream']);
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: '99999', WSOPTV_REQUEST_TIMEOUT_MS: '0' })).toThrow(
      ConfigError,
    );
    try {
      loadConfig({ PORT: '99999', WSOPTV_REQUEST_TIMEOUT_MS: '0', REDIS_URL: 'not a url' });
    } catch (err) {
      const msg = (err as Error).message;
      expect(msg).toContain('PORT');
      expect(msg).toContain('WSOPTV_REQUEST_TIMEOUT_MS');
      expect(msg).toContain('REDIS_URL');
    }
    expect(() =>
      loadConfig({ WSOPTV_HEARTBEAT_MS: '2000', WSOPTV_LIVENESS_TIMEOUT_MS: '1000' }),
    ).toThrow(/WSOPTV_LIVENESS_TIMEOUT_MS/);
  });

  it('refuses multi-process mode (REDIS_URL) without a bus secret, and accepts it with one', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(
      /WSOPTV_BUS_SECRET: required when REDIS_URL is set/,
    );
    expect(() =>
      loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', WSOPTV_BUS_SECRET: 'short' }),
    ).toThrow(/WSOPTV_BUS_SECRET/);
    const c = loadConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      WSOPTV_BUS_SECRET: 's'.repeat(32),
    });
    expect(c.busSecret).toHaveLength(32);
    expect(loadConfig({}).busSecret).toBeUndefined(); // embedded mode needs none
  });
});
