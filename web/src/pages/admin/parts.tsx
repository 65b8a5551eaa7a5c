/** The dashboard's building blocks: a panel, its table, its load state and message, a pager. */
import type { ComponentChildren } from 'preact';
import { ErrorNotice, Notice } from '../../components/ui.tsx';
import type { Loaded } from '../../hooks.ts';
import type { ActionMessage } from './hooks.ts';

/**
 * A titled section with an anchor (`id`) for the section links, and optional controls beside the
 * title.
 */
export function Panel({
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

/**
 * A panel's table: column headings (an empty one is the row actions' column) and the rows the
 * caller renders.
 */
export function Table({
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

/**
 * A panel's fetch: its error (the stale data stays visible below it), a first-load placeholder, or
 * nothing.
 */
export function LoadState({ of }: { of: Loaded<unknown> }) {
  const { error } = of;
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
        onRetry={of.reload}
      />
    );
  if (of.loading && !of.data) return <p class="muted small skeleton">Loading…</p>;
  return null;
}

/** The outcome of a panel's last action (see useAction). */
export function ActionNotice({ message }: { message: ActionMessage | null }) {
  return message ? <Notice kind={message.kind}>{message.text}</Notice> : null;
}

/** Previous / next buttons under a panel's list; nothing when there is one page. */
export function SmallPager({
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
