/**
 * A stand-in for the admin block's HTTP API (docs/blocks/05-admin.md), answered inside the
 * browser with page routes: lets the dashboard be exercised deterministically, including
 * states that are hard to provoke on a real server (an open breaker, a failed job, a full SSD).
 * It records the POSTs it receives.
 */
import type { BrowserContext, Route } from 'playwright-core';
import type { StatusReport } from '../../../src/blocks/admin/responses.ts';

export interface AdminStub {
  posts: Array<{ path: string; body: unknown }>;
  pending: Array<Record<string, unknown>>;
  deadLetters: Array<Record<string, unknown>>;
}

const iso = (agoS: number) => new Date(Date.now() - agoS * 1000).toISOString();

export async function stubAdminApi(context: BrowserContext): Promise<AdminStub> {
  const stub: AdminStub = {
    posts: [],
    deadLetters: [
      {
        channel: 'thumbnail_generated',
        group: 'content.vm-1',
        id: '1795680000000-0',
        deliveries: 5,
        error: 'database is locked',
        at: iso(1800),
        message: '{"event_type":"thumbnail_generated","payload":{"content_id":"c-9"}}',
      },
    ],
    pending: [
      {
        id: 'u-pend-1',
        email: 'daniel@example.com',
        username: 'dnegreanu_fan',
        full_name: 'Daniel Fan',
        role: 'user',
        status: 'pending_approval',
        status_reason: null,
        created_at: iso(3600),
        approved_at: null,
        last_login_at: null,
      },
      {
        id: 'u-pend-2',
        email: 'phil@example.com',
        username: 'railbird99',
        full_name: null,
        role: 'user',
        status: 'pending_approval',
        status_reason: null,
        created_at: iso(600),
        approved_at: null,
        last_login_at: null,
      },
    ],
  };
  const active = [
    {
      id: 'u-admin',
      email: 'admin@wsoptv.test',
      username: 'admin',
      full_name: null,
      role: 'admin',
      status: 'active',
      status_reason: null,
      created_at: iso(86400 * 30),
      approved_at: iso(86400 * 30),
      last_login_at: iso(30),
    },
    {
      id: 'u-act-1',
      email: 'vera@example.com',
      username: 'vera',
      full_name: 'Vera Viewer',
      role: 'user',
      status: 'active',
      status_reason: null,
      created_at: iso(86400 * 3),
      approved_at: iso(86400 * 2),
      last_login_at: iso(900),
    },
    {
      id: 'u-act-2',
      email: 'sam@example.com',
      username: 'sam_rail',
      full_name: 'Sam',
      role: 'user',
      status: 'active',
      status_reason: null,
      created_at: iso(86400 * 9),
      approved_at: iso(86400 * 8),
      last_login_at: iso(7200),
    },
  ];
  let scanPolls = 0;
  let statusTick = 0;

  const json = (route: Route, status: number, body: unknown) =>
    route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });

  await context.route('**/api/admin/**', async (route) => {
    const req = route.request();
    const url = new URL(req.url());
    const path = url.pathname.replace(/^\/api\/admin/, '');
    if (req.method() === 'POST') {
      const body = req.postDataJSON() as unknown;
      stub.posts.push({ path, body });
      const m = /^\/users\/([^/]+)\/(approve|reject|suspend)$/.exec(path);
      if (m) {
        const i = stub.pending.findIndex((u) => u.id === m[1]);
        const user =
          i >= 0
            ? stub.pending.splice(i, 1)[0]
            : (active.find((u) => u.id === m[1]) ?? { id: m[1] });
        return json(route, 200, {
          ...user,
          status: m[2] === 'approve' ? 'active' : m[2] === 'reject' ? 'rejected' : 'suspended',
        });
      }
      if (path === '/library/scan') {
        scanPolls = 0;
        return json(route, 202, {
          id: 'job-scan',
          type: 'library_scan',
          priority: 'high',
          status: 'pending',
          payload: {},
          attempts: 0,
          max_attempts: 3,
          progress: 0,
          result: null,
          error: null,
          created_at: iso(0),
          updated_at: iso(0),
          run_at: iso(0),
        });
      }
      if (path === '/dead-letters/replay') {
        const b = body as { channel: string; group: string; id: string };
        const i = stub.deadLetters.findIndex(
          (d) => d.channel === b.channel && d.group === b.group && d.id === b.id,
        );
        if (i < 0)
          return json(route, 404, {
            error: {
              code: 'DEAD_LETTER_NOT_FOUND',
              message: 'no such dead letter',
              correlation_id: 'stub',
            },
          });
        stub.deadLetters.splice(i, 1);
        return json(route, 200, { replayed: true });
      }
      if (/^\/jobs\/[^/]+\/retry$/.test(path))
        return json(route, 200, {
          id: path.split('/')[2],
          type: 'thumbnail',
          status: 'pending',
          progress: 0,
          attempts: 1,
          max_attempts: 3,
        });
      return json(route, 404, {
        error: { code: 'NOT_FOUND', message: `no stub for POST ${path}`, correlation_id: 'stub' },
      });
    }
    switch (path) {
      case '/status':
        statusTick++;
        // The shape of docs/blocks/05-admin.md `GET /status`.
        return json(route, 200, {
          node_id: 'node-7f3a',
          generated_at: iso(0),
          took_ms: 3.2,
          uptime_s: 86400,
          transport: { kind: 'redis', state: 'connected' },
          missing_blocks: [],
          dependencies: {
            auth: { available: true, code: null, message: null, ms: 1.1 },
            stream: { available: true, code: null, message: null, ms: 0.8 },
            cache: { available: true, code: null, message: null, ms: 1.4 },
            worker: {
              available: false,
              code: 'TIMEOUT',
              message: 'worker did not answer within 250 ms',
              ms: 250,
            },
          },
          summary: {
            active_streams: 2,
            pending_users: stub.pending.length,
            queue: { pending: 3, processing: 1, completed: 40, failed: 1, retrying: 0 },
            cache_hit_rate: { memory: 0.91 },
          },
          cpu: {
            cores: 2,
            model: 'Intel Xeon',
            load_avg: [0.42, 0.38, 0.3],
            process_user_ms: 1200,
            process_system_ms: 300,
            process_percent: 23 + (statusTick % 5),
          },
          memory: {
            total_bytes: 8 * 1024 ** 3,
            free_bytes: 5 * 1024 ** 3,
            used_bytes: 3 * 1024 ** 3,
            process: {
              rss: 412 * 1024 ** 2,
              heap_total: 128 * 1024 ** 2,
              heap_used: 96 * 1024 ** 2,
              external: 4 * 1024 ** 2,
            },
          },
          disks: {
            ssd: {
              path: '/var/cache/wsoptv',
              available: true,
              total_bytes: 480 * 1024 ** 3,
              free_bytes: 300 * 1024 ** 3,
              used_bytes: 180 * 1024 ** 3,
              error: null,
              capacity_bytes: 50 * 1024 ** 3,
              cache_used_bytes: 46 * 1024 ** 3,
            },
            nas: {
              path: '/mnt/nas/wsop',
              available: true,
              total_bytes: 18 * 1024 ** 4,
              free_bytes: 3.8 * 1024 ** 4,
              used_bytes: 14.2 * 1024 ** 4,
              error: null,
              reachable: true,
            },
          },
          blocks: [
            {
              name: 'auth',
              status_reason: null,
              up: true,
              started_at: iso(86400),
              last_seen: iso(1),
              id: 'auth',
              status: 'healthy',
              version: '1.0.0',
              breaker: 'closed',
              node_id: 'node-7f3a',
              contracts: ['auth:v1'],
            },
            {
              name: 'content',
              status_reason: null,
              up: true,
              started_at: iso(86400),
              last_seen: iso(1),
              id: 'content',
              status: 'healthy',
              version: '1.0.0',
              breaker: 'closed',
              node_id: 'node-7f3a',
              contracts: ['content:v1'],
            },
            {
              name: 'stream',
              status_reason: null,
              up: true,
              started_at: iso(86400),
              last_seen: iso(1),
              id: 'stream',
              status: 'healthy',
              version: '1.0.0',
              breaker: 'closed',
              node_id: 'node-7f3a',
              contracts: ['stream:v1'],
            },
            {
              name: 'cache',
              up: true,
              started_at: iso(86400),
              last_seen: iso(1),
              id: 'cache',
              status: 'degraded',
              status_reason: 'SSD cache 92 % full',
              version: '1.0.0',
              breaker: 'half-open',
              node_id: 'node-7f3a',
              contracts: ['cache:v1'],
            },
            {
              name: 'search',
              up: false,
              started_at: iso(86400),
              last_seen: iso(1),
              id: 'search',
              status: 'unhealthy',
              status_reason: 'MeiliSearch unreachable',
              version: '1.0.0',
              breaker: 'open',
              node_id: 'node-7f3a',
              contracts: ['search:v1'],
            },
            {
              name: 'worker',
              status_reason: null,
              up: true,
              started_at: iso(86400),
              last_seen: iso(1),
              id: 'worker',
              status: 'healthy',
              version: '1.0.0',
              breaker: 'closed',
              node_id: 'node-9c21',
              contracts: ['worker:v1'],
            },
            {
              name: 'admin',
              status_reason: null,
              up: true,
              started_at: iso(86400),
              last_seen: iso(1),
              id: 'admin',
              status: 'healthy',
              version: '1.0.0',
              breaker: 'closed',
              node_id: 'node-7f3a',
              contracts: ['admin:v1'],
            },
          ],
        } satisfies StatusReport);
      case '/users': {
        const status = url.searchParams.get('status');
        const all = [
          ...active,
          ...stub.pending,
          {
            id: 'u-susp',
            email: 'cheater@example.com',
            username: 'multi_acct',
            full_name: null,
            role: 'user',
            status: 'suspended',
            status_reason: 'account sharing',
            created_at: iso(86400 * 20),
            approved_at: iso(86400 * 19),
            last_login_at: iso(86400 * 4),
          },
        ];
        const items = status ? all.filter((u) => u.status === status) : all;
        return json(route, 200, { items, total: items.length, page: 1, limit: 20 });
      }
      case '/streams':
        return json(route, 200, {
          items: [
            {
              session_id: 's1',
              user_id: 'u-act-1',
              username: 'vera',
              content_id: 'c1',
              content_title: '2024 Main Event Final Table',
              tier: 'ssd',
              started_at: iso(340),
              bytes_sent: 182 * 1024 ** 2,
            },
            {
              session_id: 's2',
              user_id: 'u-act-2',
              username: 'sam_rail',
              content_id: 'c2',
              content_title: 'High Stakes Cash Game Episode 1',
              tier: 'nas',
              started_at: iso(75),
              bytes_sent: 24 * 1024 ** 2,
            },
          ],
          total: 2,
        });
      case '/cache':
        return json(route, 200, {
          tiers: {
            memory: { hits: 9120, misses: 880, hit_rate: 0.912 },
            redis: { hits: 610, misses: 270, hit_rate: 0.693 },
            ssd: { hits: 88, misses: 31, hit_rate: 0.739 },
            nas: { hits: 31, misses: 0, hit_rate: null },
          },
          ssd: {
            used_bytes: 46 * 1024 ** 3,
            capacity_bytes: 50 * 1024 ** 3,
            files: 37,
            usage_percent: 92,
          },
          active_slots: 2,
          hot_contents: [
            { content_id: 'c1', title: '2024 Main Event Final Table', plays_7d: 41, on_ssd: true },
          ],
        });
      case '/jobs': {
        const items = [
          {
            id: 'job-1',
            type: 'thumbnail',
            priority: 'normal',
            status: 'failed',
            attempts: 3,
            max_attempts: 3,
            progress: 40,
            error: 'ffmpeg exited with code 1: moov atom not found',
            created_at: iso(900),
            updated_at: iso(600),
          },
          {
            id: 'job-2',
            type: 'probe',
            priority: 'high',
            status: 'processing',
            attempts: 1,
            max_attempts: 3,
            progress: 65,
            error: null,
            created_at: iso(20),
            updated_at: iso(2),
          },
          {
            id: 'job-3',
            type: 'library_scan',
            priority: 'high',
            status: 'completed',
            attempts: 1,
            max_attempts: 3,
            progress: 100,
            error: null,
            result: { scanned: 5, new: 5, skipped: 0 },
            created_at: iso(3600),
            updated_at: iso(3590),
          },
        ];
        const s = url.searchParams.get('status');
        const list = s ? items.filter((j) => j.status === s) : items;
        return json(route, 200, {
          items: list,
          total: list.length,
          limit: 20,
          offset: 0,
          stats: { pending: 3, processing: 1, completed: 40, failed: 1, retrying: 0 },
        });
      }
      case '/jobs/job-scan': {
        scanPolls++;
        const done = scanPolls >= 3;
        return json(route, 200, {
          id: 'job-scan',
          type: 'library_scan',
          status: done ? 'completed' : 'processing',
          progress: done ? 100 : scanPolls * 33,
          attempts: 1,
          max_attempts: 3,
          error: null,
          result: done ? { scanned: 5, new: 1, skipped: 4 } : null,
        });
      }
      case '/dead-letters':
        return json(route, 200, { items: stub.deadLetters });
      case '/audit':
        return json(route, 200, {
          items: [
            {
              id: 'a1',
              actor_id: 'u-admin',
              actor_name: 'admin',
              action: 'approve_user',
              target: 'user:u-act-1',
              details: { status: 'active' },
              client_ip: '10.0.0.4',
              at: iso(172800),
            },
            {
              id: 'a2',
              actor_id: 'u-admin',
              actor_name: 'admin',
              action: 'suspend_user',
              target: 'user:u-susp',
              details: { reason: 'account sharing', status: 'suspended' },
              client_ip: '10.0.0.4',
              at: iso(345600),
            },
            {
              id: 'a3',
              actor_id: 'u-admin',
              actor_name: 'admin',
              action: 'library_scan',
              target: 'job:job-3',
              details: { type: 'library_scan', priority: 'high' },
              client_ip: '10.0.0.4',
              at: iso(3600),
            },
          ],
          total: 3,
          page: 1,
          limit: 20,
        });
      default:
        return json(route, 404, {
          error: { code: 'NOT_FOUND', message: `no stub for ${path}`, correlation_id: 'stub' },
        });
    }
  });
  return stub;
}
