/**
 * The admin dashboard. Every panel loads (and refreshes) on its own, so one slow or missing
 * endpoint shows an error in its panel and the rest of the page still works. Panels poll only
 * while the tab is visible. Shapes are read defensively: the admin block is still moving.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Page, type User } from '../api.ts';
import { ErrorNotice, Notice, ReasonDialog } from '../components/ui.tsx';
import { ago, bytes, dateTime, percent } from '../format.ts';
import { useApi, useTitle } from '../hooks.ts';
import { Link, withQuery } from '../router.tsx';
import { useSession } from '../session.ts';

type Dict = Record<string, unknown>;

export function AdminPage() {
  useTitle('Dashboard');
  const { user } = useSession();
  if (user?.role !== 'admin') {
    return (
      <div class="page narrow center" data-testid="admin-forbidden">
        <h1>Not allowed</h1>
        <p class="muted">
          The dashboard is for WSOPTV administrators only. You are signed in as{' '}
          {user?.username ?? 'a viewer'}.
        </p>
        <Link href="/" class="btn btn-primary">
          Back to the archive
        </Link>
      </div>
    );
  }
  return (
    <div class="page admin" data-testid="admin-page">
      <div class="admin-head">
        <h1>Dashboard</h1>
        <nav class="admin-nav" aria-label="Dashboard sections">
          {[
            ['system', 'System'],
            ['approvals', 'Approvals'],
            ['users', 'Users'],
            ['streams', 'Streams'],
            ['cache', 'Cache'],
            ['jobs', 'Jobs'],
            ['dead-letters', 'Dead letters'],
            ['audit', 'Audit log'],
          ].map(([id, label]) => (
            <a
              key={id}
              href={`#${id}`}
              class="chip"
              onClick={(e) => (
                e.preventDefault(),
                document.getElementById(id)?.scrollIntoView({ behavior: 'smooth' })
              )}
            >
              {label}
            </a>
          ))}
        </nav>
      </div>
      <SystemPanel />
      <div class="admin-grid">
        <ApprovalsPanel />
        <StreamsPanel />
      </div>
      <UsersPanel />
      <div class="admin-grid">
        <CachePanel />
        <JobsPanel />
      </div>
      <DeadLettersPanel />
      <AuditPanel />
    </div>
  );
}

function Panel({
  id,
  title,
  children,
  aside,
  testid,
}: {
  id: string;
  title: string;
  children: ComponentChildren;
  aside?: ComponentChildren;
  testid?: string;
}) {
  return (
    <section
      class="panel"
      id={id}
      aria-labelledby={`${id}-h`}
      data-testid={testid ?? `panel-${id}`}
    >
      <header class="panel-head">
        <h2 id={`${id}-h`}>{title}</h2>
        {aside ? <div class="panel-aside">{aside}</div> : null}
      </header>
      {children}
    </section>
  );
}

/** Error (keeping stale data visible), first-load placeholder, or nothing. */
/** A panel's table: column headings (an empty one is the row actions' column) and the rows the caller renders. */
function Table({
  testid,
  columns,
  children,
}: {
  testid: string;
  columns: string[];
  children: ComponentChildren;
}) {
  return (
    <div class="table-wrap">
      <table class="table" data-testid={testid}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c || <span class="sr-only">Actions</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

function LoadState({
  error,
  loading,
  hasData,
  onRetry,
}: {
  error?: ApiError;
  loading: boolean;
  hasData: boolean;
  onRetry: () => void;
}) {
  if (error)
    return (
      <ErrorNotice
        error={error}
        title={
          error.status === 404
            ? 'Not available on this server yet'
            : error.status === 503
              ? 'Not available right now'
              : 'Could not load'
        }
        onRetry={onRetry}
      />
    );
  if (loading && !hasData) return <p class="muted small skeleton">Loading…</p>;
  return null;
}

/** Arrays come either bare or as {items}/{streams}/…; this finds the list. */
function listOf<T>(data: unknown, ...keys: string[]): T[] {
  if (Array.isArray(data)) return data as T[];
  if (data && typeof data === 'object') {
    for (const k of [...keys, 'items', 'results', 'data']) {
      const v = (data as Dict)[k];
      if (Array.isArray(v)) return v as T[];
    }
  }
  return [];
}

const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

// ---- system ----------------------------------------------------------------------------

interface BlockRow {
  id: string;
  name?: string;
  status?: string;
  status_reason?: string | null;
  version?: string;
  breaker?: string | { state?: string };
  node_id?: string;
  contracts?: string[];
  last_seen?: string;
}

function SystemPanel() {
  const st = useApi<Dict>('/api/admin/status', { refreshMs: 3000 });
  const [updated, setUpdated] = useState<number | null>(null);
  useEffect(() => {
    if (st.data) setUpdated(Date.now());
  }, [st.data]);
  const blocks = listOf<BlockRow>(st.data, 'blocks');
  const missing = listOf<string>(st.data?.missing_blocks);
  const transport = (st.data?.transport ?? st.data?.bus) as Dict | undefined;
  const redis =
    (st.data?.redis as Dict | undefined) ?? (transport?.kind === 'redis' ? transport : undefined);
  const deps = Object.entries((st.data?.dependencies ?? {}) as Record<string, Dict>).filter(
    ([, d]) => d && d.available === false,
  );
  const summary = st.data?.summary as Dict | undefined;
  return (
    <Panel
      id="system"
      title="System"
      aside={
        <span class="muted small live" data-testid="status-updated">
          <span class={`dot ${st.error ? 'dot-bad' : 'dot-ok'}`} aria-hidden="true" />{' '}
          {updated ? `live · updated ${new Date(updated).toLocaleTimeString()}` : 'connecting…'}
        </span>
      }
    >
      <LoadState error={st.error} loading={st.loading} hasData={!!st.data} onRetry={st.reload} />
      {st.data ? (
        <>
          <div class="stat-row">
            <Stat
              label="Bus"
              value={str(transport?.kind) ?? '—'}
              sub={str(transport?.state)}
              good={transport?.state === 'connected'}
              testid="stat-bus"
            />
            <Stat
              label="Redis"
              value={redis ? (str(redis.state) ?? str(redis.status) ?? 'unknown') : 'not used'}
              sub={redis ? str(redis.url) : 'in-memory bus, embedded stores'}
              good={
                redis
                  ? redis.state === 'connected' ||
                    redis.status === 'connected' ||
                    redis.state === 'ready'
                  : undefined
              }
              testid="stat-redis"
            />
            <Stat
              label="CPU"
              value={cpuText(st.data.cpu)}
              sub={cpuSub(st.data.cpu)}
              testid="stat-cpu"
            />
            <Stat
              label="Memory"
              value={memText(st.data.memory)}
              sub={memSub(st.data.memory)}
              testid="stat-memory"
            />
            {summary ? (
              <Stat
                label="Streaming now"
                value={
                  num(summary.active_streams) !== undefined
                    ? String(num(summary.active_streams))
                    : '—'
                }
                sub={`${num(summary.pending_users) ?? '—'} waiting for approval${queueText(summary.queue)}`}
                testid="stat-summary"
              />
            ) : null}
          </div>
          {deps.length ? (
            <Notice kind="warn" title="Some services cannot answer" testid="status-dependencies">
              <ul class="dep-list">
                {deps.map(([name, d]) => (
                  <li key={name}>
                    <strong>{name}</strong>: {str(d.message) ?? str(d.code) ?? 'no answer'}{' '}
                    {d.code ? <code>{str(d.code)}</code> : null}
                  </li>
                ))}
              </ul>
            </Notice>
          ) : null}
          <Disks disks={st.data.disks} />
          <div class="block-grid" data-testid="block-grid">
            {blocks.map((b) => {
              const breaker = typeof b.breaker === 'string' ? b.breaker : (b.breaker?.state ?? '—');
              return (
                <div
                  key={`${b.id}@${b.node_id ?? ''}`}
                  class={`block-card status-${b.status ?? 'unknown'}`}
                  data-testid="block-card"
                  data-block={b.id}
                  data-status={b.status}
                >
                  <div class="block-top">
                    <span class="block-id">{b.name ?? b.id}</span>
                    <span class={`pill pill-${b.status ?? 'unknown'}`}>{b.status ?? '?'}</span>
                  </div>
                  <dl class="block-facts">
                    <div>
                      <dt>version</dt>
                      <dd>{b.version ?? '—'}</dd>
                    </div>
                    <div>
                      <dt>breaker</dt>
                      <dd class={`breaker breaker-${breaker}`}>{breaker}</dd>
                    </div>
                    <div>
                      <dt>node</dt>
                      <dd title={b.node_id}>{b.node_id ? b.node_id.slice(0, 12) : '—'}</dd>
                    </div>
                  </dl>
                  {b.status_reason ? <p class="block-reason small">{b.status_reason}</p> : null}
                  {b.contracts?.length ? <p class="muted tiny">{b.contracts.join(' · ')}</p> : null}
                </div>
              );
            })}
            {missing.map((id) => (
              <div
                key={`missing-${id}`}
                class="block-card status-missing"
                data-testid="block-card"
                data-block={id}
                data-status="missing"
              >
                <div class="block-top">
                  <span class="block-id">{id}</span>
                  <span class="pill pill-stopped">missing</span>
                </div>
                <p class="block-reason small">No process runs this block.</p>
              </div>
            ))}
            {blocks.length === 0 && missing.length === 0 ? (
              <p class="muted">No blocks reported.</p>
            ) : null}
          </div>
        </>
      ) : null}
    </Panel>
  );
}

function Stat({
  label,
  value,
  sub,
  good,
  testid,
}: {
  label: string;
  value: string;
  sub?: string;
  good?: boolean;
  testid?: string;
}) {
  return (
    <div class="stat" data-testid={testid}>
      <span class="stat-label">{label}</span>
      <span class={`stat-value ${good === true ? 'good' : good === false ? 'bad' : ''}`}>
        {value}
      </span>
      {sub ? <span class="stat-sub muted small">{sub}</span> : null}
    </div>
  );
}

function queueText(q: unknown): string {
  const d = q as Dict | null | undefined;
  if (!d) return '';
  const waiting = (num(d.pending) ?? 0) + (num(d.processing) ?? 0) + (num(d.retrying) ?? 0);
  const failed = num(d.failed) ?? 0;
  return ` · ${waiting} job${waiting === 1 ? '' : 's'} queued${failed ? `, ${failed} failed` : ''}`;
}

function cpuText(cpu: unknown): string {
  if (typeof cpu === 'number') return cpu <= 1 ? percent(cpu) : `${cpu.toFixed(0)} %`;
  const c = cpu as Dict | undefined;
  const pct = num(c?.percent) ?? num(c?.usage_percent) ?? num(c?.process_percent);
  if (pct !== undefined) return `${pct.toFixed(0)} %`;
  const load = listOf<number>(c?.load_avg ?? c?.load ?? c?.loadavg);
  if (load?.length) return `load ${load[0].toFixed(2)}`;
  const l1 = num(c?.load_1m) ?? num(c?.load1);
  return l1 !== undefined ? `load ${l1.toFixed(2)}` : '—';
}
function cpuSub(cpu: unknown): string | undefined {
  const c = cpu as Dict | undefined;
  const cores = num(c?.cores) ?? num(c?.count);
  const load = listOf<number>(c?.load_avg ?? c?.load ?? c?.loadavg);
  const parts = [
    num(c?.process_percent) !== undefined ? 'this process' : '',
    load.length && num(c?.process_percent) !== undefined ? `load ${load[0].toFixed(2)}` : '',
    cores ? `${cores} cores` : '',
  ];
  return parts.filter(Boolean).join(' · ') || undefined;
}
function memText(m: unknown): string {
  const d = m as Dict | undefined;
  const proc = d?.process as Dict | undefined;
  const used =
    num(proc?.rss) ?? num(d?.rss_bytes) ?? num(d?.rss) ?? num(d?.used_bytes) ?? num(d?.used);
  return used !== undefined ? bytes(used) : typeof m === 'number' ? bytes(m) : '—';
}
function memSub(m: unknown): string | undefined {
  const d = m as Dict | undefined;
  const proc = d?.process as Dict | undefined;
  const total = num(d?.total_bytes) ?? num(d?.total);
  const sysUsed = num(d?.used_bytes);
  const heap = num(proc?.heap_used) ?? num(d?.heap_used_bytes) ?? num(d?.heap_used);
  if (proc)
    return (
      [heap ? `heap ${bytes(heap)}` : '', total ? `host ${bytes(sysUsed)} / ${bytes(total)}` : '']
        .filter(Boolean)
        .join(' · ') || undefined
    );
  return (
    [total ? `of ${bytes(total)}` : '', heap ? `heap ${bytes(heap)}` : '']
      .filter(Boolean)
      .join(' · ') || undefined
  );
}

const DISK_NAMES: Record<string, string> = { ssd: 'SSD cache disk', nas: 'NAS library' };

/** Disks come as a list, or as {ssd: {...}, nas: {...}} (the admin block today). */
function Disks({ disks }: { disks: unknown }) {
  const list: Array<[string, Dict]> = Array.isArray(disks)
    ? (disks as Dict[]).map((d, i) => [
        str(d.name) ?? str(d.label) ?? str(d.path) ?? str(d.mount) ?? `disk ${i + 1}`,
        d,
      ])
    : Object.entries((disks ?? {}) as Record<string, Dict>).map(([k, d]) => [
        DISK_NAMES[k] ?? k,
        d,
      ]);
  if (!list.length) return null;
  return (
    <div class="disks" data-testid="disks">
      {list.map(([name, d]) => {
        const total = num(d.total_bytes) ?? num(d.size_bytes) ?? num(d.total);
        const free = num(d.free_bytes) ?? num(d.available_bytes) ?? num(d.free);
        const used =
          num(d.used_bytes) ??
          num(d.used) ??
          (total !== undefined && free !== undefined ? total - free : undefined);
        const broken = d.available === false || d.reachable === false;
        const budget = num(d.capacity_bytes);
        const sub = [
          str(d.path),
          budget !== undefined
            ? `cache budget ${bytes(budget)}${num(d.cache_used_bytes) !== undefined ? `, ${bytes(num(d.cache_used_bytes))} used` : ''}`
            : '',
        ]
          .filter(Boolean)
          .join(' · ');
        return (
          <div key={name}>
            <UsageBar label={name} used={used} total={total} sub={sub || undefined} />
            {broken ? (
              <p class="block-reason small">
                {d.reachable === false ? 'not reachable' : 'not available'}
                {d.error ? `: ${str(d.error)}` : ''}
              </p>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}

function UsageBar({
  label,
  used,
  total,
  sub,
  testid,
}: {
  label: string;
  used?: number;
  total?: number;
  sub?: string;
  testid?: string;
}) {
  const ratio = used !== undefined && total ? Math.min(1, used / total) : undefined;
  return (
    <div class="usage" data-testid={testid}>
      <div class="usage-head">
        <span>{label}</span>
        <span class="muted small">
          {bytes(used)} / {bytes(total)} {ratio !== undefined ? `(${percent(ratio)})` : ''}
        </span>
      </div>
      <div
        class="usage-bar"
        role="meter"
        aria-label={`${label} usage`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={ratio !== undefined ? Math.round(ratio * 100) : undefined}
      >
        <div
          class={`usage-fill ${ratio !== undefined && ratio > 0.9 ? 'hot' : ''}`}
          style={{ width: `${(ratio ?? 0) * 100}%` }}
        />
      </div>
      {sub ? <span class="muted tiny">{sub}</span> : null}
    </div>
  );
}

// ---- users -----------------------------------------------------------------------------

type Pending = { user: User; action: 'reject' | 'suspend' };

/** POSTs an admin action and reports the outcome. */
function useAction(after: () => void) {
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const run = async (key: string, path: string, body: unknown, okText: string) => {
    setBusy(key);
    setMessage(null);
    try {
      await api(path, { method: 'POST', body });
      setMessage({ kind: 'ok', text: okText });
      after();
    } catch (err) {
      setMessage({
        kind: 'error',
        text: err instanceof ApiError ? `${err.message} (${err.code})` : String(err),
      });
    } finally {
      setBusy(null);
    }
  };
  return { busy, message, run };
}

function ApprovalsPanel() {
  const list = useApi<Page<User>>('/api/admin/users?status=pending_approval&limit=50', {
    refreshMs: 10_000,
  });
  const act = useAction(list.reload);
  const [asking, setAsking] = useState<Pending | null>(null);
  const users = listOf<User>(list.data, 'users');
  return (
    <Panel
      id="approvals"
      title="Pending approvals"
      aside={
        list.data ? (
          <span class="count" data-testid="pending-count">
            {list.data.total ?? users.length}
          </span>
        ) : null
      }
    >
      <LoadState
        error={list.error}
        loading={list.loading}
        hasData={!!list.data}
        onRetry={list.reload}
      />
      {act.message ? <Notice kind={act.message.kind}>{act.message.text}</Notice> : null}
      {list.data && users.length === 0 ? <p class="muted">Nobody is waiting.</p> : null}
      <ul class="user-list">
        {users.map((u) => (
          <li key={u.id} class="user-item" data-testid="pending-user" data-username={u.username}>
            <div class="user-who">
              <strong>{u.username}</strong>
              <span class="muted small">
                {u.full_name ? `${u.full_name} · ` : ''}
                {u.email}
              </span>
              <span class="muted tiny">asked {ago(u.created_at)}</span>
            </div>
            <div class="user-actions">
              <button
                type="button"
                class="btn btn-primary btn-sm"
                disabled={act.busy === u.id}
                onClick={() =>
                  void act.run(
                    u.id,
                    `/api/admin/users/${u.id}/approve`,
                    {},
                    `${u.username} approved`,
                  )
                }
                data-testid="approve"
              >
                Approve
              </button>
              <button
                type="button"
                class="btn btn-ghost btn-sm"
                disabled={act.busy === u.id}
                onClick={() => setAsking({ user: u, action: 'reject' })}
                data-testid="reject"
              >
                Reject
              </button>
            </div>
          </li>
        ))}
      </ul>
      {asking ? (
        <ReasonDialog
          title={`Reject ${asking.user.username}?`}
          required
          confirmLabel="Reject"
          onDone={(reason) => {
            const u = asking.user;
            setAsking(null);
            if (reason !== null)
              void act.run(
                u.id,
                `/api/admin/users/${u.id}/reject`,
                reason ? { reason } : {},
                `${u.username} rejected`,
              );
          }}
        />
      ) : null}
    </Panel>
  );
}

const STATUSES = ['active', 'pending_approval', 'suspended', 'rejected', ''] as const;

function UsersPanel() {
  const [status, setStatus] = useState<string>('active');
  const [page, setPage] = useState(1);
  const limit = 20;
  const list = useApi<Page<User>>(withQuery('/api/admin/users', { status, page, limit }), {
    refreshMs: 15_000,
  });
  const act = useAction(list.reload);
  const [asking, setAsking] = useState<Pending | null>(null);
  const users = listOf<User>(list.data, 'users');
  const total = list.data?.total ?? users.length;
  const pages = Math.max(1, Math.ceil(total / limit));
  return (
    <Panel
      id="users"
      title="Users"
      aside={
        <div class="segmented" role="group" aria-label="Filter by status">
          {STATUSES.map((s) => (
            <button
              key={s || 'all'}
              type="button"
              class={status === s ? 'seg active' : 'seg'}
              aria-pressed={status === s}
              onClick={() => {
                setStatus(s);
                setPage(1);
              }}
            >
              {s ? s.replace('_approval', '') : 'all'}
            </button>
          ))}
        </div>
      }
    >
      <LoadState
        error={list.error}
        loading={list.loading}
        hasData={!!list.data}
        onRetry={list.reload}
      />
      {act.message ? <Notice kind={act.message.kind}>{act.message.text}</Notice> : null}
      {list.data ? (
        <div class="table-wrap">
          <table class="table" data-testid="users-table">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id} data-testid="user-row" data-username={u.username}>
                  <td>
                    <strong>{u.username}</strong>
                    <div class="muted tiny">{u.email}</div>
                  </td>
                  <td>{u.role}</td>
                  <td>
                    <span class={`pill pill-${u.status}`}>{u.status.replace('_', ' ')}</span>
                    {u.status_reason ? <div class="muted tiny">{u.status_reason}</div> : null}
                  </td>
                  <td class="muted small">{u.last_login_at ? ago(u.last_login_at) : 'never'}</td>
                  <td class="actions">
                    {u.status === 'active' && u.role !== 'admin' ? (
                      <button
                        type="button"
                        class="btn btn-danger btn-sm"
                        disabled={act.busy === u.id}
                        onClick={() => setAsking({ user: u, action: 'suspend' })}
                        data-testid="suspend"
                      >
                        Suspend
                      </button>
                    ) : null}
                    {u.status !== 'active' ? (
                      <button
                        type="button"
                        class="btn btn-primary btn-sm"
                        disabled={act.busy === u.id}
                        onClick={() =>
                          void act.run(
                            u.id,
                            `/api/admin/users/${u.id}/approve`,
                            {},
                            `${u.username} is active`,
                          )
                        }
                        data-testid="activate"
                      >
                        {u.status === 'pending_approval' ? 'Approve' : 'Reactivate'}
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
              {users.length === 0 ? (
                <tr>
                  <td colSpan={5} class="muted">
                    No users with this status.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      ) : null}
      <SmallPager page={page} pages={pages} onPage={setPage} />
      {asking ? (
        <ReasonDialog
          title={`Suspend ${asking.user.username}?`}
          confirmLabel="Suspend"
          onDone={(reason) => {
            const u = asking.user;
            setAsking(null);
            if (reason !== null)
              void act.run(
                u.id,
                `/api/admin/users/${u.id}/suspend`,
                reason ? { reason } : {},
                `${u.username} suspended; their sessions have ended`,
              );
          }}
        />
      ) : null}
    </Panel>
  );
}

function SmallPager({
  page,
  pages,
  onPage,
}: {
  page: number;
  pages: number;
  onPage: (p: number) => void;
}) {
  if (pages <= 1) return null;
  return (
    <div class="pager pager-sm">
      <button
        type="button"
        class="btn btn-ghost btn-sm"
        disabled={page <= 1}
        onClick={() => onPage(page - 1)}
      >
        ← Prev
      </button>
      <span class="pager-pos">
        {page} / {pages}
      </span>
      <button
        type="button"
        class="btn btn-ghost btn-sm"
        disabled={page >= pages}
        onClick={() => onPage(page + 1)}
      >
        Next →
      </button>
    </div>
  );
}

// ---- streams & cache -------------------------------------------------------------------

function StreamsPanel() {
  const st = useApi<unknown>('/api/admin/streams', { refreshMs: 5000 });
  const streams = listOf<Dict>(st.data, 'streams', 'sessions');
  return (
    <Panel
      id="streams"
      title="Active streams"
      aside={
        st.data ? (
          <span class="count" data-testid="stream-count">
            {num((st.data as Dict).total) ?? streams.length}
          </span>
        ) : null
      }
    >
      <LoadState error={st.error} loading={st.loading} hasData={!!st.data} onRetry={st.reload} />
      {st.data && streams.length === 0 ? <p class="muted">Nobody is watching right now.</p> : null}
      <ul class="stream-list" data-testid="stream-list">
        {streams.map((s, i) => (
          <li key={str(s.session_id) ?? i} class="stream-item">
            <div>
              <strong>
                {str(s.title) ?? str(s.content_title) ?? str(s.content_id)?.slice(0, 8) ?? '?'}
              </strong>
              <div class="muted tiny">
                {str(s.username) ?? str(s.user_id)?.slice(0, 8)} · started {ago(str(s.started_at))}
              </div>
            </div>
            <div class="stream-facts">
              {s.tier ? <span class={`pill pill-tier-${str(s.tier)}`}>{str(s.tier)}</span> : null}
              <span class="muted small">{bytes(num(s.bytes_sent))}</span>
            </div>
          </li>
        ))}
      </ul>
    </Panel>
  );
}

function CachePanel() {
  const c = useApi<Dict>('/api/admin/cache', { refreshMs: 5000 });
  const tiers = (c.data?.tiers ?? {}) as Record<string, Dict> | Dict[];
  const tierList: Array<[string, Dict]> = Array.isArray(tiers)
    ? tiers.map((t, i) => [str(t.name) ?? str(t.tier) ?? `tier ${i + 1}`, t])
    : Object.entries(tiers);
  const ssd = c.data?.ssd as Dict | undefined;
  const hot = listOf<Dict>(c.data?.hot_contents);
  return (
    <Panel id="cache" title="Cache">
      <LoadState error={c.error} loading={c.loading} hasData={!!c.data} onRetry={c.reload} />
      {c.data ? (
        <>
          <div class="tier-grid" data-testid="cache-tiers">
            {tierList.map(([name, t]) => {
              const hits = num(t.hits) ?? 0;
              const misses = num(t.misses) ?? 0;
              const rate =
                num(t.hit_rate) ?? (hits + misses > 0 ? hits / (hits + misses) : undefined);
              return (
                <div key={name} class="tier" data-testid="cache-tier" data-tier={name}>
                  <span class="stat-label">{name}</span>
                  <span class="stat-value">
                    {rate === undefined ? '—' : percent(rate, rate < 0.1 ? 1 : 0)}
                  </span>
                  <span class="muted tiny">
                    {hits} hits · {misses} misses
                  </span>
                </div>
              );
            })}
          </div>
          {ssd ? (
            <UsageBar
              label={`SSD cache · ${num(ssd.files) ?? 0} files`}
              used={num(ssd.used_bytes)}
              total={num(ssd.capacity_bytes)}
              testid="ssd-usage"
            />
          ) : null}
          {num(c.data.active_slots) !== undefined ? (
            <p class="muted small">Stream slots in use: {num(c.data.active_slots)}</p>
          ) : null}
          {hot.length ? (
            <details class="hot">
              <summary>Hot videos ({hot.length})</summary>
              <ul>
                {hot.map((h) => (
                  <li key={str(h.content_id)}>
                    <code>{str(h.title) ?? str(h.content_id)?.slice(0, 8)}</code> ·{' '}
                    {num(h.plays_7d)} plays / 7 d {h.on_ssd ? '· on SSD' : ''}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </>
      ) : null}
    </Panel>
  );
}

// ---- jobs ------------------------------------------------------------------------------

interface Job {
  id: string;
  type: string;
  status: string;
  priority?: string;
  progress?: number;
  attempts?: number;
  max_attempts?: number;
  error?: string | null;
  result?: unknown;
  created_at?: string;
  updated_at?: string;
  payload?: Dict;
}

const JOB_STATUSES = ['', 'pending', 'processing', 'retrying', 'failed', 'completed'];
const DONE = new Set(['completed', 'failed']);

function JobsPanel() {
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const limit = 10;
  const jobs = useApi<Page<Job>>(
    withQuery('/api/admin/jobs', { status, limit, offset: (page - 1) * limit }),
    { refreshMs: 5000 },
  );
  const act = useAction(jobs.reload);
  const list = listOf<Job>(jobs.data, 'jobs');
  const stats = (jobs.data as { stats?: Record<string, number> | null } | undefined)?.stats;
  return (
    <Panel
      id="jobs"
      title="Job queue"
      aside={
        <label class="field field-inline">
          <span class="sr-only">Job status</span>
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value);
              setPage(1);
            }}
            data-testid="job-status-filter"
          >
            {JOB_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'all jobs'}
              </option>
            ))}
          </select>
        </label>
      }
    >
      <ScanLibrary onChange={jobs.reload} />
      {stats ? (
        <p class="job-stats small" data-testid="job-stats">
          {Object.entries(stats).map(([k, v]) => (
            <span key={k} class={`pill pill-${k}`}>
              {k} {v}
            </span>
          ))}
        </p>
      ) : null}
      <LoadState
        error={jobs.error}
        loading={jobs.loading}
        hasData={!!jobs.data}
        onRetry={jobs.reload}
      />
      {act.message ? <Notice kind={act.message.kind}>{act.message.text}</Notice> : null}
      {jobs.data && list.length === 0 ? (
        <p class="muted">No jobs{status ? ` with status ${status}` : ''}.</p>
      ) : null}
      <ul class="job-list" data-testid="job-list">
        {list.map((j) => (
          <li key={j.id} class="job" data-testid="job" data-status={j.status}>
            <div class="job-main">
              <span class="job-type">{j.type}</span>
              <span class={`pill pill-${j.status}`}>{j.status}</span>
              {j.attempts !== undefined ? (
                <span class="muted tiny">
                  try {j.attempts}/{j.max_attempts ?? '?'}
                </span>
              ) : null}
              <span class="muted tiny">{ago(j.updated_at ?? j.created_at)}</span>
            </div>
            {j.status === 'processing' && j.progress !== undefined ? (
              <div class="mini-bar">
                <div style={{ width: `${j.progress}%` }} />
              </div>
            ) : null}
            {j.error ? <p class="job-error tiny">{j.error}</p> : null}
            {j.status === 'failed' ? (
              <button
                type="button"
                class="btn btn-ghost btn-sm"
                disabled={act.busy === j.id}
                onClick={() =>
                  void act.run(
                    j.id,
                    `/api/admin/jobs/${j.id}/retry`,
                    {},
                    `${j.type} job queued again`,
                  )
                }
                data-testid="job-retry"
              >
                Retry
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <SmallPager
        page={page}
        pages={Math.max(1, Math.ceil((jobs.data?.total ?? list.length) / limit))}
        onPage={setPage}
      />
    </Panel>
  );
}

/** "Scan library": starts the job, then follows it until it ends. */
function ScanLibrary({ onChange }: { onChange: () => void }) {
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const timer = useRef<number>();

  useEffect(() => () => window.clearTimeout(timer.current), []);

  const follow = (id: string) => {
    timer.current = window.setTimeout(async () => {
      try {
        const r = await api<Job | { job: Job }>(`/api/admin/jobs/${encodeURIComponent(id)}`);
        const j = 'job' in r ? r.job : r;
        setJob(j);
        if (DONE.has(j.status)) {
          onChange();
          return;
        }
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return setError(err);
      }
      follow(id);
    }, 1000);
  };

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api<Job | { job: Job }>('/api/admin/library/scan', {
        method: 'POST',
        body: {},
      });
      const j = r && 'job' in r ? r.job : r;
      setJob(j);
      onChange();
      if (j?.id && !DONE.has(j.status)) follow(j.id);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)));
    } finally {
      setBusy(false);
    }
  };

  const running = job && !DONE.has(job.status);
  const result = job?.result as Dict | null | undefined;
  return (
    <div class="scan" data-testid="scan">
      <button
        type="button"
        class="btn btn-primary btn-sm"
        onClick={() => void start()}
        disabled={busy || !!running}
        data-testid="scan-library"
      >
        {running ? 'Scanning…' : 'Scan library'}
      </button>
      {job ? (
        <div class="scan-state" data-testid="scan-state" data-status={job.status}>
          <div
            class="mini-bar"
            role="progressbar"
            aria-label="library scan"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={job.progress ?? 0}
          >
            <div style={{ width: `${job.status === 'completed' ? 100 : (job.progress ?? 0)}%` }} />
          </div>
          <span class="muted small">
            {job.status === 'completed'
              ? `Done${result ? `: ${num(result.scanned) ?? '?'} files, ${num(result.new) ?? 0} new, ${num(result.skipped) ?? 0} skipped` : ''}`
              : job.status === 'failed'
                ? `Failed: ${job.error ?? 'unknown error'}`
                : `${job.status} · ${Math.round(job.progress ?? 0)} %`}
          </span>
        </div>
      ) : null}
      {error ? <ErrorNotice error={error} title="Scan could not start" /> : null}
    </div>
  );
}

// ---- audit -----------------------------------------------------------------------------

interface Audit {
  id: string;
  actor_id?: string;
  actor?: string;
  actor_name?: string | null;
  action: string;
  target?: string | null;
  details?: Dict;
  client_ip?: string | null;
  at?: string;
}

function AuditPanel() {
  const [page, setPage] = useState(1);
  const limit = 20;
  const log = useApi<Page<Audit>>(withQuery('/api/admin/audit', { page, limit }), {
    refreshMs: 15_000,
  });
  const items = listOf<Audit>(log.data, 'entries');
  const pages = Math.max(1, Math.ceil((log.data?.total ?? items.length) / limit));
  return (
    <Panel id="audit" title="Audit log">
      <LoadState
        error={log.error}
        loading={log.loading}
        hasData={!!log.data}
        onRetry={log.reload}
      />
      {log.data && items.length === 0 ? <p class="muted">No admin actions yet.</p> : null}
      {items.length ? (
        <Table testid="audit-table" columns={['When', 'Who', 'Action', 'Target', 'Details']}>
          {items.map((a) => (
            <tr key={a.id}>
              <td class="nowrap small">{dateTime(a.at)}</td>
              <td class="small">{a.actor_name ?? a.actor ?? a.actor_id?.slice(0, 8) ?? '—'}</td>
              <td>
                <code>{a.action}</code>
              </td>
              <td class="small">{a.target ?? '—'}</td>
              <td
                class="muted tiny details"
                title={a.details ? JSON.stringify(a.details) : undefined}
              >
                {Object.entries(a.details ?? {})
                  .map(
                    ([k, v]) =>
                      `${k.replace(/_/g, ' ')}: ${typeof v === 'string' ? v : JSON.stringify(v)}`,
                  )
                  .join(' · ')}
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
      <SmallPager page={page} pages={pages} onPage={setPage} />
    </Panel>
  );
}

// ---- dead letters ----------------------------------------------------------------------

interface DeadLetter {
  channel: string;
  group: string;
  id: string;
  deliveries: number;
  error: string;
  at: string;
  message: string;
}

/** Domain events a block kept failing on: each one is a change some block never applied. */
function DeadLettersPanel() {
  const letters = useApi<{ items: DeadLetter[] }>('/api/admin/dead-letters?limit=20', {
    refreshMs: 30_000,
  });
  const items = letters.data?.items ?? [];
  const act = useAction(letters.reload);
  return (
    <Panel id="dead-letters" title="Dead letters" testid="dead-letters-panel">
      <LoadState
        error={letters.error}
        loading={letters.loading}
        hasData={!!letters.data}
        onRetry={letters.reload}
      />
      {act.message ? <Notice kind={act.message.kind}>{act.message.text}</Notice> : null}
      {letters.data && items.length === 0 ? (
        <p class="muted">No events were given up: every block handled every event it received.</p>
      ) : null}
      {items.length ? (
        <Table
          testid="dead-letters-table"
          columns={['When', 'Event', 'Block', 'Tries', 'Last error', '']}
        >
          {items.map((d) => (
            <tr key={`${d.channel}/${d.group}/${d.id}`}>
              <td class="nowrap small">{dateTime(d.at)}</td>
              <td>
                <code>{d.channel}</code>
              </td>
              <td class="small">{d.group.split('.')[0]}</td>
              <td class="small">{d.deliveries}</td>
              <td class="muted tiny details" title={d.message}>
                {d.error}
              </td>
              <td>
                <button
                  type="button"
                  class="btn btn-ghost btn-sm"
                  title="Once its cause is fixed, hand the event back to the block that failed on it"
                  disabled={act.busy === d.id}
                  onClick={() =>
                    void act.run(
                      d.id,
                      '/api/admin/dead-letters/replay',
                      { channel: d.channel, group: d.group, id: d.id },
                      `${d.channel} handed back to ${d.group.split('.')[0]}`,
                    )
                  }
                  data-testid="dead-letter-replay"
                >
                  Replay
                </button>
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
    </Panel>
  );
}
