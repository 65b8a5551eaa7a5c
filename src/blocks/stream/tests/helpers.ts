/**
 * A real host with the real stream block and mocks of auth:v1, content:v1 and cache:v1 built
 * from their contracts, listening on a real socket. The cache mock answers get_stream_path with
 * real files of a temp library (an MP4 made by ffmpeg, a big sparse file) and keeps a tiny slot
 * table with the configured limits, as the real cache would.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  authV1,
  BlockError,
  cacheV1,
  contentV1,
  mockBlock,
  type Content,
  type EventName,
  type User,
} from '../../../orchestration/index.ts';
import { loadConfig } from '../../../app/config.ts';
import { buildHost, type App } from '../../../app/host.ts';
import { memoryLogger } from '../../../../test/support/logs.ts';
import { sampleMp4 } from '../../../../test/support/media.ts';
import { loadOrCreateKey, MediaTokens } from '../media-token.ts';
import streamBlock from '../index.ts';

const now = new Date().toISOString();
export const user = (id: string, over: Partial<User> = {}): User => ({
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

/** Bearer tokens the auth mock knows: token → user and auth session. */
export const TOKENS: Record<string, { user: User; session_id: string }> = {
  alice: { user: user('alice'), session_id: 'sess-alice' },
  alice2: { user: user('alice'), session_id: 'sess-alice-2' },
  bob: { user: user('bob'), session_id: 'sess-bob' },
  carol: { user: user('carol'), session_id: 'sess-carol' },
  dave: { user: user('dave'), session_id: 'sess-dave' },
  erin: { user: user('erin'), session_id: 'sess-erin' },
  frank: { user: user('frank'), session_id: 'sess-frank' },
  pending: { user: user('pat', { status: 'pending_approval' }), session_id: 'sess-pat' },
};

export const MOVIE = 'WSOP/2024/Main Event Day 1.mp4';
export const BIG = 'HCL/big file.mp4';
export const BIG_SIZE = 64 * 1024 * 1024;

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface StreamHost {
  app: App;
  base: string;
  lines: Array<Record<string, unknown>>;
  library: string;
  dataDir: string;
  /** The bytes of the MP4 behind content "movie". */
  movie: Buffer;
  moviePath: string;
  cache: ReturnType<typeof cacheMock>;
  content: ReturnType<typeof contentMock>;
  events: Record<string, any[]>;
  /** Live auth sessions per user (what get_active_sessions answers). */
  authSessions: Set<string>;
  tokens: MediaTokens;
  get(path: string, headers?: Record<string, string>, method?: string): Promise<Reply>;
  info(
    contentId: string,
    token?: string,
  ): Promise<{ url: string; session_id: string; expires_at: string; [k: string]: unknown }>;
  close(): Promise<void>;
}

export function cacheMock(
  library: string,
  limits: { perUser: number; total: number },
  files: Record<string, string>,
) {
  const slots = new Map<string, string>();
  const state = {
    down: false as false | 'unavailable' | 'missing',
    lookups: 0,
    /** Set: the cache answers with copies in this SSD directory (same relative paths). */
    ssdDir: undefined as string | undefined,
  };
  const mock = mockBlock(
    'cache:v1',
    {
      get_stream_path: async ({ content_id }) => {
        state.lookups++;
        const rel = files[content_id];
        if (!rel)
          throw new BlockError('CONTENT_NOT_FOUND', `no content ${content_id}`, { status: 404 });
        if (state.down === 'unavailable')
          throw new BlockError('FILE_UNAVAILABLE', 'the NAS does not answer', {
            status: 503,
            retryable: true,
          });
        const root = state.ssdDir ?? library;
        const path = state.down === 'missing' ? join(root, 'gone.mp4') : join(root, rel);
        const st = state.down === 'missing' ? { size: 0, mtimeMs: 0 } : statSync(path);
        const tier = state.ssdDir ? ('ssd' as const) : ('nas' as const);
        return { path, tier, size: st.size, mtime_ms: st.mtimeMs };
      },
      get_cache_stats: () => ({
        tiers: {},
        ssd: { used_bytes: 0, capacity_bytes: 0, files: 0, dir: state.ssdDir },
        active_slots: slots.size,
        hot_contents: [],
      }),
      acquire_stream_slot: ({ user_id, session_id }) => {
        const mine = [...slots.values()].filter((u) => u === user_id).length;
        const base = { active_for_user: mine, active_total: slots.size };
        if (slots.has(session_id))
          return { granted: true, reason: null, limit: null, queue_position: null, ...base };
        if (mine >= limits.perUser)
          return {
            granted: false,
            reason: 'user_limit' as const,
            limit: limits.perUser,
            queue_position: 1,
            ...base,
          };
        if (slots.size >= limits.total)
          return {
            granted: false,
            reason: 'global_limit' as const,
            limit: limits.total,
            queue_position: 2,
            ...base,
          };
        slots.set(session_id, user_id);
        return { granted: true, reason: null, limit: null, queue_position: null, ...base };
      },
      touch_stream_slot: ({ session_id }) => ({ active: slots.has(session_id) }),
      release_stream_slot: ({ session_id }) => {
        slots.delete(session_id);
        return { ok: true as const };
      },
    },
    Object.keys(cacheV1.actions),
  );
  return Object.assign(mock, { slots, state });
}

export function contentMock(items: Record<string, Partial<Content>>) {
  const state = { recordFails: false };
  const mock = mockBlock(
    'content:v1',
    {
      get_content: ({ content_id }) => {
        const c = items[content_id];
        if (!c) return null;
        return {
          id: content_id,
          title: content_id,
          description: '',
          catalog: 'WSOP',
          duration_seconds: 4,
          file_size: null,
          media_path: 'x.mp4',
          thumbnail_url: null,
          added_at: now,
          metadata: {},
          ...c,
        };
      },
      record_play: () => {
        if (state.recordFails)
          throw new BlockError('DB_DOWN', 'the plays table is locked', { status: 500 });
        return { plays_last_24h: 1 };
      },
    },
    Object.keys(contentV1.actions),
  );
  return Object.assign(mock, { state });
}

export function authMock(authSessions: Set<string>) {
  return mockBlock(
    'auth:v1',
    {
      validate_token: ({ token }) => {
        const t = TOKENS[token];
        return t && authSessions.has(t.session_id)
          ? {
              user: t.user,
              session_id: t.session_id,
              expires_at: new Date(Date.now() + 3600_000).toISOString(),
            }
          : null;
      },
      get_user: ({ user_id }) =>
        Object.values(TOKENS).find((t) => t.user.id === user_id)?.user ?? null,
      get_active_sessions: ({ user_id }) =>
        Object.values(TOKENS)
          .filter((t) => t.user.id === user_id && authSessions.has(t.session_id))
          .map((t) => ({
            session_id: t.session_id,
            user_id: t.user.id,
            created_at: now,
            expires_at: now,
            client_ip: null,
          })),
    },
    Object.keys(authV1.actions),
  );
}

const STREAM_EVENTS = [
  'stream_started',
  'stream_stopped',
  'stream_error',
] as const satisfies EventName[];

export async function startStreamHost(
  env: Record<string, string> = {},
  limits = { perUser: 3, total: 20 },
): Promise<StreamHost> {
  const root = mkdtempSync(join(tmpdir(), 'wsoptv-stream-'));
  const library = join(root, 'library');
  const dataDir = join(root, 'data');
  const moviePath = join(library, MOVIE);
  mkdirSync(dirname(moviePath), { recursive: true });
  writeFileSync(moviePath, readFileSync(sampleMp4({ seconds: 4 })));
  mkdirSync(join(library, 'HCL'), { recursive: true });
  writeFileSync(join(library, BIG), '');
  truncateSync(join(library, BIG), BIG_SIZE); // sparse: big enough to fill every socket buffer
  const files = { movie: MOVIE, movie2: MOVIE, movie3: MOVIE, movie4: MOVIE, big: BIG };
  const cache = cacheMock(library, limits, files);
  const content = contentMock({
    movie: {
      media_path: MOVIE,
      duration_seconds: 4,
      metadata: { codecs: 'avc1.42c01e, mp4a.40.2' },
    },
    movie2: { media_path: MOVIE },
    movie3: { media_path: MOVIE },
    movie4: { media_path: MOVIE },
    big: { media_path: BIG },
    orphan: { media_path: 'WSOP/missing.mp4' },
  });
  const authSessions = new Set(Object.values(TOKENS).map((t) => t.session_id));
  const { logger, lines } = memoryLogger();
  const config = loadConfig({
    WSOPTV_DATA_DIR: dataDir,
    WSOPTV_LIBRARY_DIR: library,
    WSOPTV_STREAM_MAX_PER_USER: String(limits.perUser),
    WSOPTV_STREAM_MAX_TOTAL: String(limits.total),
    ...env,
  });
  const app = await buildHost(config, logger, [
    streamBlock,
    cache.manifest,
    content.manifest,
    authMock(authSessions).manifest,
  ]);
  const events: Record<string, any[]> = {};
  for (const e of STREAM_EVENTS) {
    events[e] = [];
    await app.orchestrator.subscribe(e, (p) => void events[e].push(p));
  }
  await app.http.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.http.server.address() as AddressInfo).port}`;
  const host: StreamHost = {
    app,
    base,
    lines,
    library: realpathSync(library),
    dataDir,
    movie: readFileSync(moviePath),
    moviePath,
    cache,
    content,
    events,
    authSessions,
    tokens: new MediaTokens(await loadOrCreateKey(dataDir)),
    get: (path, headers = {}, method = 'GET') => fetchRaw(`${base}${path}`, headers, method),
    async info(contentId, token = 'alice') {
      const r = await host.get(`/api/stream/${contentId}/info`, {
        authorization: `Bearer ${token}`,
      });
      if (r.status !== 200) throw new Error(`info ${r.status}: ${r.body.toString()}`);
      return JSON.parse(r.body.toString());
    },
    async close() {
      await app.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return host;
}

/** One request over a real socket (no keep-alive), the body collected as bytes. */
export function fetchRaw(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** File descriptors of this process open on `path` (the server runs in-process). */
export function openFds(path: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++;
    } catch {
      /* closed meanwhile */
    }
  }
  return n;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
