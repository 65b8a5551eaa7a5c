/**
 * What must survive restarts and hold across processes, on SQLite and PostgreSQL: the
 * generated signing secret, the first admin, concurrent first starts of separate processes
 * and the sign-in limit they share.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { ADMIN, authEnv, startHost } from './helpers.ts';

describeEachDatabase('auth persistence', (target) => {
  it('keeps the generated JWT secret and creates the first admin once across restarts', async () => {
    const env = authEnv(target);
    const first = await startHost(env);
    const signIn = await first.login(ADMIN.email.toUpperCase(), ADMIN.password);
    expect(signIn.statusCode).toBe(200);
    const { access_token: access, user } = signIn.json();
    expect(user).toMatchObject({
      email: ADMIN.email.toLowerCase(),
      username: 'admin',
      role: 'admin',
      status: 'active',
    });
    await first.app.close();

    // Same data, a changed admin password in the environment: the existing admin is left alone.
    const second = await startHost({ ...env, WSOPTV_ADMIN_PASSWORD: 'Chang3d-pass!' });
    try {
      const client = second.app.orchestrator.client('test');
      expect((await client.request('auth:v1', 'validate_token', { token: access }))?.user.id).toBe(
        user.id,
      );
      const all = await client.request('auth:v1', 'list_users', { limit: 100 });
      expect(all.items.filter((u) => u.role === 'admin')).toHaveLength(1);
      expect((await second.login('admin', ADMIN.password)).statusCode).toBe(200);
      expect((await second.login('admin', 'Chang3d-pass!')).statusCode).toBe(401);
    } finally {
      await second.app.close();
    }
  });

  it('a configured secret replaces the generated one (older tokens stop validating)', async () => {
    const env = authEnv(target);
    const first = await startHost(env);
    const { access_token: access } = (await first.login('admin', ADMIN.password)).json();
    await first.app.close();
    const second = await startHost({ ...env, WSOPTV_JWT_SECRET: 'x'.repeat(40) });
    try {
      expect(
        await second.app.orchestrator
          .client('test')
          .request('auth:v1', 'validate_token', { token: access }),
      ).toBeNull();
      const fresh = (await second.login('admin', ADMIN.password)).json();
      expect(
        await second.app.orchestrator
          .client('test')
          .request('auth:v1', 'validate_token', { token: fresh.access_token }),
      ).not.toBeNull();
    } finally {
      await second.app.close();
    }
  });

  it('refuses to start with a weak first-admin password, naming the variable', async () => {
    await expect(
      startHost(authEnv(target, { WSOPTV_ADMIN_PASSWORD: 'alllowercase' })),
    ).rejects.toThrow(/WSOPTV_ADMIN_PASSWORD is too weak/);
  });

  it('three processes starting at once on fresh data agree on the secret, make one admin and share the sign-in limit', async () => {
    const env = authEnv(target);
    const outputs = await Promise.all([1, 2, 3].map(() => runAuthProcess(env)));
    const host = await startHost(env);
    try {
      const client = host.app.orchestrator.client('test');
      for (const out of outputs) {
        expect(out.status).toBe(200);
        expect(
          await client.request('auth:v1', 'validate_token', { token: out.token }),
        ).not.toBeNull();
      }
      const all = await client.request('auth:v1', 'list_users', { limit: 100 });
      expect(all.items.filter((u) => u.role === 'admin')).toHaveLength(1);
      // Six failures from one address, spread over three processes: the limit saw them all.
      expect(
        outputs.flatMap((o) => o.failures).filter((s) => s === 401).length,
      ).toBeGreaterThanOrEqual(5);
      expect((await host.login('admin', ADMIN.password, '10.40.0.1')).statusCode).toBe(429);
      expect((await host.login('admin', ADMIN.password, '10.40.0.2')).statusCode).toBe(200);
    } finally {
      await host.app.close();
    }
  });
});

const SCRIPT = fileURLToPath(new URL('./auth-process.ts', import.meta.url));

/** Runs tests/auth-process.ts in its own Node.js process and returns the line it prints. */
function runAuthProcess(
  env: Record<string, string>,
): Promise<{ status: number; token: string; failures: number[] }> {
  return new Promise((resolve, reject) => {
    const base = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TMPDIR: process.env.TMPDIR ?? '',
    };
    execFile(
      process.execPath,
      ['--import', 'tsx', SCRIPT],
      { env: { ...base, ...env }, timeout: 20_000 },
      (err, stdout, stderr) => {
        if (err)
          return reject(new Error(`auth process failed: ${err.message}\n${stdout}\n${stderr}`));
        const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
        if (!line)
          return reject(new Error(`auth process printed no result:\n${stdout}\n${stderr}`));
        resolve(JSON.parse(line.slice(7)));
      },
    );
  });
}
