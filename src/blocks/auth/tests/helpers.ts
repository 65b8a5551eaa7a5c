/** Shared set-up for the auth block's tests: a real host with the real auth block, no mocks. */
import type { LightMyRequestResponse } from 'fastify';
import type { User } from '../../../orchestration/index.ts';
import { loadConfig } from '../../../app/config.ts';
import { buildHost, type App } from '../../../app/host.ts';
import { memoryLogger } from '../../../../test/support/logs.ts';
import type { DatabaseTarget } from '../../../../test/support/databases.ts';
import authBlock from '../index.ts';

export const PASSWORD = 'Str0ng-pass!';
export const ADMIN = { email: 'Root@Example.test', password: 'Adm1n-pass!' };

let counter = 0;
/** A name no other test uses (usernames: letters, digits, _ . -). */
export const uniq = (base: string) => `${base}${++counter}_${process.pid}`;

/** Environment for a host on `target`'s database: fast bcrypt and a configured first admin. */
export function authEnv(
  target: DatabaseTarget,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...target.env(),
    WSOPTV_BCRYPT_COST: '4',
    WSOPTV_ADMIN_EMAIL: ADMIN.email,
    WSOPTV_ADMIN_PASSWORD: ADMIN.password,
    ...extra,
  };
}

export interface Host {
  app: App;
  lines: Array<Record<string, unknown>>;
  post(
    url: string,
    payload?: unknown,
    opts?: { ip?: string; token?: string },
  ): Promise<LightMyRequestResponse>;
  get(url: string, token?: string): Promise<LightMyRequestResponse>;
  register(
    over?: Partial<{ email: string; username: string; password: string; full_name: string }>,
  ): Promise<User>;
  login(login: string, password?: string, ip?: string): Promise<LightMyRequestResponse>;
  /** Registers a user, has the admin approve them and signs in: the token pair and the user. */
  activeUser(): Promise<{ user: User; access: string; refresh: string }>;
  adminId(): Promise<string>;
}

export async function startHost(env: Record<string, string>): Promise<Host> {
  const { logger, lines } = memoryLogger();
  const app = await buildHost(loadConfig(env), logger, [authBlock]);
  const headers = (token?: string) => (token ? { authorization: `Bearer ${token}` } : {});
  const host: Host = {
    app,
    lines,
    post: (url, payload, opts = {}) =>
      app.http.inject({
        method: 'POST',
        url,
        payload: payload as object,
        remoteAddress: opts.ip,
        headers: headers(opts.token),
      }),
    get: (url, token) => app.http.inject({ method: 'GET', url, headers: headers(token) }),
    async register(over = {}) {
      const name = uniq('user');
      const res = await host.post('/api/auth/register', {
        email: `${name}@example.test`,
        username: name,
        password: PASSWORD,
        ...over,
      });
      if (res.statusCode !== 201) throw new Error(`register failed: ${res.body}`);
      return res.json();
    },
    login: (login, password = PASSWORD, ip = '10.0.0.1') =>
      host.post('/api/auth/login', { login, password }, { ip }),
    async adminId() {
      const users = await app.orchestrator
        .client('test')
        .request('auth:v1', 'list_users', { status: 'active', limit: 100 });
      return users.items.find((u) => u.role === 'admin')!.id;
    },
    async activeUser() {
      const user = await host.register();
      await app.orchestrator
        .client('admin')
        .request('auth:v1', 'approve_user', { user_id: user.id, by: await host.adminId() });
      const res = await host.login(
        user.username,
        PASSWORD,
        `10.9.${counter % 250}.${++counter % 250}`,
      );
      if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
      const body = res.json();
      return { user: body.user, access: body.access_token, refresh: body.refresh_token };
    },
  };
  return host;
}
