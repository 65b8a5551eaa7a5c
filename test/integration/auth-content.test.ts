/**
 * Issue 3's whole journey with the real auth and content blocks, over HTTP, on SQLite and on
 * PostgreSQL: register → the admin from the environment approves through the auth contract →
 * log in → catalogs and contents → progress → home rows → refresh → logout; and the
 * cached-session fallback with the real auth block stopped.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app/server.ts';
import { loadConfig } from '../../src/app/config.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { memoryLogger } from '../support/logs.ts';

describeEachDatabase('auth + content journey', (target) => {
  let app: App;
  const { logger, lines } = memoryLogger();
  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    url: string,
    token?: string,
    payload?: object,
  ) =>
    app.http.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload ? { payload } : {}),
    });

  beforeAll(async () => {
    const config = loadConfig({
      ...target.env(),
      WSOPTV_SCAN_ON_START: 'false',
      WSOPTV_BCRYPT_COST: '4',
      WSOPTV_ADMIN_EMAIL: 'boss@wsoptv.test',
      WSOPTV_ADMIN_PASSWORD: 'Adm1n!pass',
    });
    app = await buildApp(config, logger);
  });
  afterAll(() => app?.close());

  it('registers, gets approved, watches, refreshes and logs out', async () => {
    const reg = await call('POST', '/api/auth/register', undefined, {
      email: 'ann@example.test',
      username: 'ann',
      password: 'Poker#Face9',
      full_name: 'Ann Viewer',
    });
    expect(reg.statusCode, reg.body).toBe(201);
    const ann = reg.json();
    expect(ann.status).toBe('pending_approval');
    const early = await call('POST', '/api/auth/login', undefined, {
      login: 'ann',
      password: 'Poker#Face9',
    });
    expect(early.statusCode).toBe(403);

    const adminLogin = await call('POST', '/api/auth/login', undefined, {
      login: 'boss@wsoptv.test',
      password: 'Adm1n!pass',
    });
    expect(adminLogin.statusCode, adminLogin.body).toBe(200);
    const admin = adminLogin.json();
    expect(admin.user.role).toBe('admin');
    const approved = await app.orchestrator
      .client('admin')
      .request('auth:v1', 'approve_user', { user_id: ann.id, by: admin.user.id });
    expect(approved.status).toBe('active');

    for (const [i, catalog] of ['WSOP', 'WSOP', 'HCL'].entries()) {
      const made = await call('POST', '/api/contents', admin.access_token, {
        title: `Main Event Day ${i + 1}`,
        catalog,
        media_path: `${catalog}/2024/day-${i + 1}.mp4`,
        duration_seconds: 3600,
      });
      expect(made.statusCode, made.body).toBe(201);
    }

    const login = await call('POST', '/api/auth/login', undefined, {
      login: 'ann@example.test',
      password: 'Poker#Face9',
    });
    expect(login.statusCode, login.body).toBe(200);
    const { access_token, refresh_token, token_type, expires_in } = login.json();
    expect(token_type.toLowerCase()).toBe('bearer');
    expect(expires_in).toBe(3600);

    const catalogs = (await call('GET', '/api/catalogs', access_token)).json().items;
    expect(catalogs.map((c: { name: string }) => c.name).sort()).toEqual(['HCL', 'WSOP']);
    const list = (await call('GET', '/api/contents?catalog=WSOP&limit=10', access_token)).json();
    expect(list.total).toBe(2);
    expect(list.items[0].media_path).toBeUndefined();
    const id = list.items[0].id;

    expect(
      (
        await call('PUT', `/api/progress/${id}`, access_token, {
          position_seconds: 1200,
          duration_seconds: 3600,
        })
      ).statusCode,
    ).toBe(200);
    const { progress } = (await call('GET', `/api/progress/${id}`, access_token)).json();
    expect(progress.position_seconds).toBe(1200);
    const home = (await call('GET', '/api/home', access_token)).json();
    const row = (name: string) => home.rows.find((r: { id: string }) => r.id === name)?.items ?? [];
    expect(row('continue_watching').map((i: { id: string }) => i.id)).toEqual([id]);
    expect(row('new_releases')).toHaveLength(3);
    expect(row('catalog:wsop')).toHaveLength(2);
    expect(home.hero).toBeTruthy();

    const refreshed = await call('POST', '/api/auth/refresh', undefined, { refresh_token });
    expect(refreshed.statusCode).toBe(200);
    const fresh = refreshed.json().access_token;
    const me = await call('GET', '/api/auth/me', fresh);
    expect(me.json().username, me.body).toBe('ann');

    expect((await call('POST', '/api/auth/logout', fresh)).statusCode).toBeLessThan(300);
    expect((await call('GET', '/api/home', fresh)).statusCode).toBe(401);
    expect(
      (
        await call('POST', '/api/auth/refresh', undefined, {
          refresh_token: refreshed.json().refresh_token,
        })
      ).statusCode,
    ).toBe(401);

    // Replaying a rotated refresh token is treated as theft: the whole session ends.
    const again = (
      await call('POST', '/api/auth/login', undefined, { login: 'ann', password: 'Poker#Face9' })
    ).json();
    const rotated = (
      await call('POST', '/api/auth/refresh', undefined, { refresh_token: again.refresh_token })
    ).json();
    expect(
      (await call('POST', '/api/auth/refresh', undefined, { refresh_token: again.refresh_token }))
        .statusCode,
    ).toBe(401);
    expect((await call('GET', '/api/auth/me', rotated.access_token)).statusCode).toBe(401);
    const leaked = lines.filter(
      (l) => JSON.stringify(l).includes('Poker#Face9') || JSON.stringify(l).includes(fresh),
    );
    expect(leaked).toEqual([]);
  });

  it('keeps reads working and refuses writes with the real auth block stopped', async () => {
    const login = await call('POST', '/api/auth/login', undefined, {
      login: 'boss@wsoptv.test',
      password: 'Adm1n!pass',
    });
    const token = login.json().access_token;
    expect((await call('GET', '/api/home', token)).statusCode).toBe(200);
    await app.stopBlock('auth');
    try {
      expect((await call('GET', '/api/home', token)).statusCode).toBe(200);
      expect((await call('GET', '/api/catalogs', token)).statusCode).toBe(200);
      const write = await call('POST', '/api/contents', token, {
        title: 'x',
        catalog: 'HCL',
        media_path: 'HCL/x.mp4',
      });
      expect(write.statusCode).toBe(503);
      expect(write.json().error.code).toBe('READ_ONLY');
      const loginDown = await call('POST', '/api/auth/login', undefined, {
        login: 'boss@wsoptv.test',
        password: 'Adm1n!pass',
      });
      expect(loginDown.statusCode).toBe(503);
    } finally {
      await app.restartBlock('auth');
    }
    const write = await call('POST', '/api/contents', token, {
      title: 'back',
      catalog: 'HCL',
      media_path: 'HCL/back.mp4',
    });
    expect(write.statusCode, write.body).toBe(201);
  });
});
