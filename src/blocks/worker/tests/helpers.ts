/**
 * Shared set-up for the worker's tests: the real worker block in a host, next to mocks built from
 * the content and auth contracts. The content mock keeps items in a Map, publishes content_added
 * like the real block, and is idempotent on media_path.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  authV1,
  BlockError,
  cacheV1,
  contentV1,
  mockBlock,
  type BlockManifest,
  type Content,
  type EventName,
  type User,
} from '../../../orchestration/index.ts';
import { loadConfig } from '../../../app/config.ts';
import { buildHost, type App } from '../../../app/host.ts';
import { memoryLogger } from '../../../../test/support/logs.ts';
import { waitFor } from '../../../../test/support/wait.ts';
import workerBlock from '../index.ts';
import type { Job } from '../models.ts';

export function contentMock(opts: { slowGetMs?: number; onGet?: () => void } = {}) {
  const items = new Map<string, Content>();
  const byPath = (p: string) => [...items.values()].find((c) => c.media_path === p);
  const summary = (c: Content) => ({
    content_id: c.id,
    title: c.title,
    description: c.description,
    catalog: c.catalog,
    duration_seconds: c.duration_seconds,
    thumbnail_url: c.thumbnail_url,
    added_at: c.added_at,
  });
  const mock = mockBlock(
    'content:v1',
    {
      get_content: async ({ content_id }) => {
        opts.onGet?.();
        if (opts.slowGetMs) await new Promise((r) => setTimeout(r, opts.slowGetMs));
        return items.get(content_id) ?? null;
      },
      list_contents: ({ limit, offset }) => ({
        items: [...items.values()].slice(offset, offset + limit),
        total: items.size,
        limit,
        offset,
      }),
      content_exists_by_path: ({ media_path }) => ({
        exists: !!byPath(media_path),
        content_id: byPath(media_path)?.id ?? null,
      }),
      create_content: async (input, call) => {
        const known = byPath(input.media_path);
        if (known) return known;
        const c: Content = {
          id: randomUUID(),
          title: input.title,
          description: input.description,
          catalog: input.catalog,
          duration_seconds: input.duration_seconds ?? null,
          file_size: input.file_size ?? null,
          media_path: input.media_path,
          thumbnail_url: input.thumbnail_url ?? null,
          added_at: new Date().toISOString(),
          metadata: input.metadata ?? {},
        };
        items.set(c.id, c);
        await call.publish('content_added', summary(c));
        return c;
      },
      update_content: ({ content_id, patch }) => {
        const c = items.get(content_id);
        if (!c)
          throw new BlockError('CONTENT_NOT_FOUND', `no content ${content_id}`, { status: 404 });
        for (const [k, v] of Object.entries(patch))
          if (v !== undefined) Object.assign(c, { [k]: v });
        return c;
      },
    },
    Object.keys(contentV1.actions),
  );
  /** Adds an item directly (no event), as if it had been there before. */
  const put = (media_path: string, over: Partial<Content> = {}): Content => {
    const c: Content = {
      id: randomUUID(),
      title: media_path,
      description: '',
      catalog: 'WSOP',
      duration_seconds: null,
      file_size: null,
      media_path,
      thumbnail_url: null,
      added_at: new Date().toISOString(),
      metadata: {},
      ...over,
    };
    items.set(c.id, c);
    return c;
  };
  return { ...mock, items, put, summary };
}

const now = new Date().toISOString();
const user = (id: string, over: Partial<User> = {}): User => ({
  id,
  email: `${id}@x.test`,
  username: id,
  full_name: null,
  role: 'user',
  status: 'active',
  status_reason: null,
  created_at: now,
  approved_at: now,
  last_login_at: null,
  ...over,
});
const tokens: Record<string, User> = { viewer: user('u1'), admin: user('a1', { role: 'admin' }) };
export const authMock = () =>
  mockBlock(
    'auth:v1',
    {
      validate_token: ({ token }) =>
        tokens[token]
          ? {
              user: tokens[token],
              session_id: `s-${token}`,
              expires_at: new Date(Date.now() + 3600_000).toISOString(),
            }
          : null,
    },
    Object.keys(authV1.actions),
  );

/**
 * cache:v1 with warm_content only: the first warm of an item copies, later ones find it up to date.
 */
export function cacheMock() {
  const warm = new Set<string>();
  return mockBlock(
    'cache:v1',
    {
      warm_content: ({ content_id }) => ({
        copied: !warm.has(content_id) && !!warm.add(content_id),
        bytes: 4096,
        path: `/ssd/${content_id}.mp4`,
      }),
    },
    Object.keys(cacheV1.actions),
  );
}

/** Fresh directories for one host: data, library, thumbnails, SSD cache. */
export function dirs() {
  const root = mkdtempSync(join(tmpdir(), 'wsoptv-worker-'));
  return {
    root,
    data: join(root, 'data'),
    library: join(root, 'library'),
    thumbs: join(root, 'thumbs'),
    ssd: join(root, 'ssd'),
  };
}

export function workerEnv(
  d: ReturnType<typeof dirs>,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    WSOPTV_DATA_DIR: d.data,
    WSOPTV_LIBRARY_DIR: d.library,
    WSOPTV_THUMBNAIL_DIR: d.thumbs,
    WSOPTV_SSD_CACHE_DIR: d.ssd,
    WSOPTV_SCAN_ON_START: 'false',
    ...extra,
  };
}

const WATCHED = [
  'thumbnail_generated',
  'library_scan_completed',
  'job_failed',
  'cache_warmed',
  'content_added',
] as const satisfies EventName[];

export interface WorkerHost {
  app: App;
  content: ReturnType<typeof contentMock>;
  events: Record<(typeof WATCHED)[number], any[]>;
  lines: Array<Record<string, unknown>>;
  client: ReturnType<App['orchestrator']['client']>;
  /** Waits until the job has this status and returns it. */
  until(id: string, status?: Job['status'], ms?: number): Promise<Job>;
}

export async function startWorkerHost(
  env: Record<string, string>,
  opts: {
    content?: ReturnType<typeof contentMock> | null;
    blocks?: Array<BlockManifest<any>>;
  } = {},
): Promise<WorkerHost> {
  const content = opts.content === undefined ? contentMock() : opts.content;
  const { logger, lines } = memoryLogger();
  const blocks: Array<BlockManifest<any>> = [
    workerBlock,
    authMock().manifest,
    ...(content ? [content.manifest] : []),
    ...(opts.blocks ?? []),
  ];
  // Short retries and polls keep the tests fast; `env` may set them otherwise.
  const config = loadConfig({ WSOPTV_JOB_BACKOFF_MS: '50', WSOPTV_JOB_POLL_MS: '20', ...env });
  const app = await buildHost(config, logger, blocks);
  const events = Object.fromEntries(WATCHED.map((e) => [e, [] as any[]])) as WorkerHost['events'];
  for (const e of WATCHED)
    await app.orchestrator.subscribe(e, (p: any) => void events[e].push(p), 'test');
  const client = app.orchestrator.client('admin');
  const until = async (id: string, status: Job['status'] = 'completed', ms = 20_000) => {
    let last: Job | null = null;
    await waitFor(
      async () =>
        (last = await client.request('worker:v1', 'get_job', { job_id: id }))?.status === status,
      ms,
      { message: `job ${id} to be ${status}` },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last seen: ${JSON.stringify(last)}`);
    });
    return last!;
  };
  return { app, content: content!, events, lines, client, until };
}
