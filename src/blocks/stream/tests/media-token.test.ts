/** Signed media URLs: signing, every way a token can be wrong, and the shared key file. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateKey, MediaTokens } from '../media-token.ts';

const claims = {
  user_id: 'u1',
  auth_session_id: 's1',
  content_id: 'c1',
  session_id: 'p1',
  expires_at: Date.now() + 60_000,
};

describe('media tokens', () => {
  const tokens = new MediaTokens(Buffer.alloc(32, 7));

  it('round-trips its claims', () => {
    const t = tokens.verify(tokens.sign(claims, 1234));
    expect(t).toEqual({ ok: true, claims: { ...claims, issued_at: 1234 } });
  });

  it('is URL-safe without encoding', () => {
    const t = tokens.sign({ ...claims, user_id: 'ü/+=?&' });
    expect(t).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('refuses a changed payload, a changed or truncated mac, and junk', () => {
    const t = tokens.sign(claims);
    const [payload, mac] = t.split('.') as [string, string];
    const forged = Buffer.from(
      JSON.stringify(['u2', 's1', 'c1', 'p1', 1, claims.expires_at]),
    ).toString('base64url');
    const flip = (s: string, i: number) =>
      s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    for (const bad of [
      `${forged}.${mac}`,
      `${flip(payload, 3)}.${mac}`,
      `${payload}.${flip(mac, 5)}`,
      `${payload}.${mac.slice(0, -2)}`,
      `${payload}.`,
      `.${mac}`,
      payload,
      '',
      'x.y',
      `${t}x`,
      `${t}=`,
      `${payload}.${mac}==`,
      `${payload}!.${mac}`,
      `${payload}.${mac.slice(0, 20)}*${mac.slice(20)}`,
      `${payload} .${mac}`,
      'a'.repeat(5000),
    ]) {
      expect(tokens.verify(bad), bad.slice(0, 40)).toEqual({ ok: false, why: 'is invalid' });
    }
  });

  it('refuses a token signed with another key', () => {
    expect(new MediaTokens(Buffer.alloc(32, 8)).verify(tokens.sign(claims))).toEqual({
      ok: false,
      why: 'is invalid',
    });
  });

  it('refuses a well-signed payload of the wrong shape', () => {
    const k = Buffer.alloc(32, 7);
    const signed = (value: unknown) => {
      const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
      // Same construction as MediaTokens.sign, to prove shape checks run after the mac.
      const mac = new MediaTokens(k)['mac'](payload).toString('base64url');
      return `${payload}.${mac}`;
    };
    for (const v of [
      {},
      ['u', 's', 'c', 'p', 1],
      ['u', 's', 'c', 2, 1, Date.now() + 1000],
      ['u', 's', 'c', 'p', 1, 'soon'],
      null,
    ]) {
      expect(tokens.verify(signed(v))).toEqual({ ok: false, why: 'is invalid' });
    }
  });

  it('expires', () => {
    const t = tokens.sign({ ...claims, expires_at: 5000 }, 1000);
    expect(tokens.verify(t, 4999).ok).toBe(true);
    expect(tokens.verify(t, 5000)).toEqual({ ok: false, why: 'has expired' });
  });
});

describe('the media URL key', () => {
  it('is made once, private (0600), and then reused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsoptv-key-'));
    const a = await loadOrCreateKey(dir);
    const file = join(dir, 'stream', 'media-url.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(a).toHaveLength(32);
    expect((await loadOrCreateKey(dir)).equals(a)).toBe(true);
  });

  it('several processes starting together agree on one key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsoptv-key-'));
    const script = `import { loadOrCreateKey } from ${JSON.stringify(new URL('../media-token.ts', import.meta.url).pathname)}; process.stdout.write((await loadOrCreateKey(${JSON.stringify(dir)})).toString('hex'));`;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', script],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
      });
    const keys = await Promise.all([
      run(),
      run(),
      run(),
      run(),
      loadOrCreateKey(dir).then((k) => k.toString('hex')),
    ]);
    expect(new Set(keys).size).toBe(1);
    expect(readFileSync(join(dir, 'stream', 'media-url.key'), 'utf8').trim()).toBe(keys[0]);
  });

  it('a damaged key file stops start-up with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsoptv-key-'));
    mkdirSync(join(dir, 'stream'));
    writeFileSync(join(dir, 'stream', 'media-url.key'), 'not a key');
    await expect(loadOrCreateKey(dir)).rejects.toThrow(/is not a 64-digit hex key/);
  });
});
