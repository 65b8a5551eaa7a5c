/** The auth block: accounts, approval, sessions and tokens (see docs/blocks/01-auth.md). */
import { defineBlock } from '../../orchestration/index.ts';
import { authRoutes } from './router.ts';
import { AuthService } from './service.ts';
import { readAuthSettings } from './settings.ts';

export default defineBlock({
  id: 'auth',
  name: 'Auth',
  version: '1.0.0',
  contracts: ['auth:v1'],
  endpoints: [
    '/api/auth/register',
    '/api/auth/login',
    '/api/auth/refresh',
    '/api/auth/logout',
    '/api/auth/me',
  ],
  settings: readAuthSettings,
  async setup(ctx) {
    const service = await AuthService.open(ctx);
    return {
      handlers: { 'auth:v1': service.handlers() },
      routes: (app) => authRoutes(app, service, ctx.client),
      health: () => service.health(),
      stop: () => service.close(),
    };
  },
});
