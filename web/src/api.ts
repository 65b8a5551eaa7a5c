/**
 * The API client: JSON over fetch, the bearer token from the session store, and the refresh
 * dance. An access token is refreshed shortly before it expires, and once more when a request
 * comes back 401; refreshes are single-flight inside a tab and, where the browser has Web
 * Locks, across tabs (the server treats a reused refresh token as theft and ends the session,
 * so two tabs must never rotate the same token).
 * Every failure is an ApiError carrying the server's { code, message, correlation_id }.
 */
import { session, type Tokens } from './session.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly correlationId?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; correlation_id?: string; details?: unknown };
}

/** Refresh this long before the access token expires. */
const REFRESH_EARLY_MS = 60_000;

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Send without a token (login, register, refresh). */
  anonymous?: boolean;
  signal?: AbortSignal;
  /** For requests that must outlive the page (progress on pagehide). */
  keepalive?: boolean;
}

export async function api<T = unknown>(path: string, opts: RequestOptions = {}): Promise<T> {
  if (
    !opts.anonymous &&
    session.tokens &&
    Date.now() > session.tokens.expires_at - REFRESH_EARLY_MS
  ) {
    await refreshTokens().catch(() => undefined); // the request below then decides (401 → sign in)
  }
  let res = await send(path, opts);
  if (res.status === 401 && !opts.anonymous && session.tokens) {
    const before = session.tokens.access_token;
    const ok = await refreshTokens(before).then(
      () => true,
      () => false,
    );
    if (ok) res = await send(path, opts);
  }
  return parse<T>(res, !opts.anonymous);
}

function send(path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = opts.anonymous ? undefined : session.tokens?.access_token;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  const method = opts.method ?? (opts.body === undefined ? 'GET' : 'POST');
  // Fastify refuses an empty body sent as JSON, so every write sends at least {}.
  if (method !== 'GET' && method !== 'HEAD') {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body ?? {});
  }
  return fetch(path, {
    method,
    headers,
    body,
    signal: opts.signal,
    keepalive: opts.keepalive,
    credentials: 'same-origin',
  }).catch((err: unknown) => {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(
      0,
      'NETWORK',
      'WSOPTV cannot be reached: check your connection and try again',
    );
  });
}

async function parse<T>(res: Response, authed: boolean): Promise<T> {
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.ok) return json as T;
  const e = (json as ErrorBody | undefined)?.error;
  const err = new ApiError(
    res.status,
    e?.code ?? `HTTP_${res.status}`,
    e?.message ?? (res.statusText || `request failed (${res.status})`),
    e?.correlation_id,
    e?.details,
  );
  if (authed && session.tokens) {
    // The session is gone (revoked, refresh failed) or the account is no longer active.
    if (res.status === 401)
      session.signOut({ code: err.code, message: 'your session has ended: please sign in again' });
    else if (res.status === 403 && err.code.startsWith('ACCOUNT_'))
      session.signOut({ code: err.code, message: err.message });
  }
  throw err;
}

let inflight: Promise<void> | undefined;

/**
 * Rotates the refresh token. `staleAccess`: the token a request was refused with; if the store
 * already holds a different one (another request or tab refreshed meanwhile) nothing is done.
 */
export function refreshTokens(staleAccess?: string): Promise<void> {
  inflight ??= (async () => {
    try {
      const run = () => doRefresh(staleAccess);
      const locks = (navigator as Navigator & { locks?: LockManager }).locks;
      if (locks) await locks.request('wsoptv-refresh', run);
      else await run();
    } finally {
      inflight = undefined;
    }
  })();
  return inflight;
}

async function doRefresh(staleAccess?: string): Promise<void> {
  const before = session.tokens;
  session.reload(); // another tab may have rotated while we waited for the lock
  const now = session.tokens;
  if (!now) throw new ApiError(401, 'UNAUTHORIZED', 'not signed in');
  if (before && now.refresh_token !== before.refresh_token) return;
  if (staleAccess && now.access_token !== staleAccess) return;
  if (!staleAccess && Date.now() < now.expires_at - REFRESH_EARLY_MS) return;
  const res = await send('/api/auth/refresh', {
    method: 'POST',
    body: { refresh_token: now.refresh_token },
    anonymous: true,
  });
  if (!res.ok) {
    const err = await parse<never>(res, false).catch((e: unknown) => e);
    session.signOut({
      code: 'SESSION_ENDED',
      message: 'your session has ended: please sign in again',
    });
    throw err;
  }
  session.set(toTokens((await res.json()) as LoginResponse));
}

export interface LoginResponse {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  user: User;
}

export function toTokens(r: LoginResponse): Tokens {
  return {
    access_token: r.access_token,
    refresh_token: r.refresh_token,
    expires_at: Date.now() + r.expires_in * 1000,
    user: r.user,
  };
}

// ---- shapes (kept loose where the backend is still moving) -------------------------------

export interface User {
  id: string;
  email: string;
  username: string;
  full_name?: string | null;
  /** 'admin' or 'user' today; kept open for roles the backend may add. */
  role: string;
  /** 'pending_approval', 'active', 'rejected' or 'suspended' today; kept open likewise. */
  status: string;
  status_reason?: string | null;
  created_at?: string;
  approved_at?: string | null;
  last_login_at?: string | null;
}

export interface Progress {
  position_seconds: number;
  duration_seconds: number;
  percent: number;
  finished?: boolean;
  updated_at?: string;
}

export interface Content {
  id: string;
  title: string;
  description?: string;
  catalog: string;
  duration_seconds: number | null;
  file_size?: number | null;
  thumbnail_url: string | null;
  added_at?: string;
  metadata?: Record<string, unknown>;
  progress?: Progress | null;
}

/** Where an item sits in the archive, and an event: the content block's own contract types. */
export type { EventSummary, Structure } from '../../src/orchestration/contracts/content-v2.ts';
import type { EventSummary, Structure } from '../../src/orchestration/contracts/content-v2.ts';

/** An item as the viewer sees it on event pages and lists: their progress and list mark. */
export interface Episode extends Content {
  progress: Progress | null;
  on_list: boolean;
}

/** GET /api/contents/:id: the item with the viewer's progress, its place and list mark. */
export interface ContentDetail extends Content {
  structure: Structure | null;
  on_list: boolean;
}

/** GET /api/events/:id */
export interface EventPage {
  event: EventSummary;
  episodes: Episode[];
}

export interface HomeRow {
  id: string;
  title: string;
  items: Content[];
}

export interface Home {
  hero: Content | null;
  rows: HomeRow[];
}

export interface Catalog {
  id: string;
  name: string;
  content_count: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit?: number;
  offset?: number;
  page?: number;
}

export interface SearchHit {
  content_id: string;
  title: string;
  description?: string;
  catalog: string;
  duration_seconds: number | null;
  thumbnail_url: string | null;
  score?: number;
}

export interface SearchResult {
  results: SearchHit[];
  total: number;
  page: number;
  pages: number;
  query: string;
  engine: string;
}

export interface StreamInfo {
  url: string;
  expires_at?: string;
  duration_seconds?: number | null;
  size?: number;
  mime_type?: string;
  tier?: string;
  session_id?: string;
}

/** True when a search answer came from the database fallback instead of the search index. */
export const isFallbackEngine = (engine: string | undefined) =>
  engine === 'database' || engine === 'sql-like';
