/**
 * The audit log on its own, on SQLite and PostgreSQL: retention (nothing younger than 400 days
 * is ever deleted), newest-first order with ties broken by insertion, and data kept across a
 * restart (re-running the migrations changes nothing).
 */
import { afterEach, expect, it } from 'vitest';
import {
  DEFAULT_SCHEMA_PREFIX,
  openDatabaseFor,
  type BlockDatabase,
} from '../../../platform/database/index.ts';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { migrations } from '../migrations.ts';
import { AUDIT_RETENTION_DAYS, type AdminDB } from '../models.ts';
import { AuditLog, type Actor } from '../audit.ts';

const DAY = 86_400_000;
const actor: Actor = { id: 'a1', username: 'boss', ip: '10.0.0.1' };

describeEachDatabase('admin audit log', (target) => {
  const open: Array<BlockDatabase<AdminDB>> = [];
  const openLog = async (env: Record<string, string>, clock: { now: number }) => {
    const database = await openDatabaseFor<AdminDB>(
      {
        dataDir: env.WSOPTV_DATA_DIR,
        databaseUrl: env.DATABASE_URL,
        dbSchemaPrefix: env.WSOPTV_DB_SCHEMA_PREFIX ?? DEFAULT_SCHEMA_PREFIX,
      },
      'admin',
    );
    open.push(database);
    await database.migrate(migrations);
    return new AuditLog(database, () => clock.now);
  };
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close();
  });

  it('keeps every entry younger than 400 days; the cleanup removes only older ones', async () => {
    expect(AUDIT_RETENTION_DAYS).toBeGreaterThanOrEqual(400);
    const t0 = Date.UTC(2026, 0, 1);
    const clock = { now: 0 };
    const log = await openLog(target.env(), clock);
    for (const [ageDays, target] of [
      [401, 'old'],
      [400.01, 'just-past'],
      [399.99, 'just-inside'],
      [365, 'a-year'],
      [0, 'today'],
    ] as const) {
      clock.now = t0 - ageDays * DAY;
      await log.record(actor, { action: 'approve_user', target });
    }
    clock.now = t0;
    expect(await log.prune()).toBe(2);
    expect((await log.page(1, 100)).items.map((e) => e.target)).toEqual([
      'today',
      'a-year',
      'just-inside',
    ]);
    clock.now = t0 + 10 * DAY; // later cleanups keep removing exactly what aged out
    expect(await log.prune()).toBe(1);
    expect(await log.prune()).toBe(0);
  });

  it('orders newest first, entries of one millisecond by insertion; survives a restart', async () => {
    const env = target.env();
    const clock = { now: Date.UTC(2026, 5, 1) };
    const log = await openLog(env, clock);
    for (const t of ['first', 'second', 'third'])
      await log.record(actor, { action: 'suspend_user', target: t, details: { reason: t } });
    const entry = (await log.page(1, 1)).items[0];
    expect(entry).toEqual({
      id: expect.any(String),
      actor_id: 'a1',
      actor_name: 'boss',
      action: 'suspend_user',
      target: 'third',
      details: { reason: 'third' },
      client_ip: '10.0.0.1',
      at: new Date(clock.now).toISOString(),
    });
    await open.pop()!.close();
    const again = await openLog(env, clock);
    const page = await again.page(1, 10);
    expect(page).toMatchObject({ total: 3, page: 1, limit: 10 });
    expect(page.items.map((e) => e.target)).toEqual(['third', 'second', 'first']);
    expect((await again.page(2, 2)).items.map((e) => e.target)).toEqual(['first']);
  });
});
