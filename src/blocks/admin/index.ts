/**
 * The admin block: the dashboard API under /api/admin and the audit log (docs/blocks/05-admin.md).
 */
import { defineBlock } from '../../orchestration/index.ts';
import { openDatabaseFor } from '../../platform/database/index.ts';
import { migrations } from './migrations.ts';
import { AUDIT_CLEANUP_EVERY_MS, type AdminDB } from './models.ts';
import { adminRoutes } from './router.ts';
import { AuditLog } from './audit.ts';
import { AdminService } from './service.ts';
import { SystemProbe } from './status.ts';

export default defineBlock({
  id: 'admin',
  name: 'Admin',
  version: '1.0.0',
  contracts: ['admin:v1'],
  // Without auth nothing here works; the others only empty one panel of the dashboard each.
  dependencies: [
    { contract: 'auth:v1' },
    { contract: 'stream:v1', optional: true },
    { contract: 'cache:v1', optional: true },
    { contract: 'worker:v1', optional: true },
    { contract: 'content:v1', optional: true },
  ],
  endpoints: [
    '/api/admin/status',
    '/api/admin/users',
    '/api/admin/streams',
    '/api/admin/cache',
    '/api/admin/jobs',
    '/api/admin/library/scan',
    '/api/admin/audit',
    '/api/admin/dead-letters',
  ],
  async setup(ctx) {
    const database = await openDatabaseFor<AdminDB>(ctx.shared, 'admin', migrations);
    const audit = new AuditLog(database);
    const service = new AdminService(audit);
    const probe = new SystemProbe(ctx.system, ctx.shared.libraryDir);
    const prune = () =>
      audit.prune().then(
        (removed) =>
          removed > 0 && ctx.log.info({ removed }, 'audit entries past retention removed'),
        (err: unknown) => ctx.log.warn({ err }, 'audit cleanup failed; will retry'),
      );
    void prune();
    const timer = setInterval(() => void prune(), AUDIT_CLEANUP_EVERY_MS);
    timer.unref();
    return {
      handlers: { 'admin:v1': { get_audit_log: ({ page, limit }) => audit.page(page, limit) } },
      routes: (app) => adminRoutes(app, service, probe, ctx.client),
      health: () => audit.health(),
      stop: () => {
        clearInterval(timer);
        return audit.close();
      },
    };
  },
});
