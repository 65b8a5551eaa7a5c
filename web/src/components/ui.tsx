/** Shared building blocks: thumbnails, cards, rows, notices, progress bars. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, Content, SearchHit } from '../api.ts';
import { catalogId, clock, duration } from '../format.ts';
import { Link } from '../router.tsx';

/** Anything with a title and maybe a thumbnail: a content item or a search hit. */
type Item = Pick<Content, 'title' | 'catalog' | 'thumbnail_url' | 'duration_seconds'>;

const SUITS = ['♠', '♥', '♦', '♣'];

/**
 * The item's thumbnail, or a felt-green placeholder with a suit when there is none (or it fails to
 * load).
 */
export function Thumb({ item, eager = false }: { item: Item; eager?: boolean }) {
  const [failed, setFailed] = useState(false);
  const url = item.thumbnail_url;
  useEffect(() => setFailed(false), [url]);
  if (url && !failed) {
    return (
      <img
        class="thumb"
        src={url}
        alt=""
        loading={eager ? 'eager' : 'lazy'}
        decoding="async"
        data-testid="thumbnail"
        onError={() => setFailed(true)}
      />
    );
  }
  const suit = SUITS[[...item.title].reduce((n, ch) => n + ch.charCodeAt(0), 0) % SUITS.length];
  return (
    <div class="thumb thumb-placeholder" data-testid="thumbnail-placeholder" aria-hidden="true">
      <span class="thumb-suit">{suit}</span>
      <span class="thumb-catalog">{item.catalog}</span>
    </div>
  );
}

export function ProgressBar({ value, label }: { value: number; label?: string }) {
  const v = Math.max(0, Math.min(100, value));
  return (
    <div
      class="progress"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(v)}
      aria-label={label ?? 'watched'}
      data-testid="progress-bar"
    >
      <div class="progress-fill" style={{ width: `${v}%` }} />
    </div>
  );
}

/** A poster card linking to the item's page. */
export function Card({ item, id, progress }: { item: Item; id: string; progress?: number | null }) {
  return (
    <Link
      class="card"
      href={`/content/${encodeURIComponent(id)}`}
      data-testid="content-card"
      data-content-id={id}
      title={item.title}
    >
      <div class="card-media">
        <Thumb item={item} />
        {item.duration_seconds ? (
          <span class="badge-duration">{clock(item.duration_seconds)}</span>
        ) : null}
        {progress !== undefined && progress !== null ? <ProgressBar value={progress} /> : null}
      </div>
      <div class="card-title">{item.title}</div>
      <div class="card-sub">{item.catalog}</div>
    </Link>
  );
}

export function hitAsItem(h: SearchHit): Item {
  return {
    title: h.title,
    catalog: h.catalog,
    thumbnail_url: h.thumbnail_url,
    duration_seconds: h.duration_seconds,
  };
}

/** A titled, horizontally scrolling row of cards with arrow buttons on wide screens. */
export function Row({
  id,
  title,
  items,
  href,
}: {
  id: string;
  title: string;
  items: Content[];
  href?: string;
}) {
  const track = useRef<HTMLDivElement>(null);
  const scroll = (dir: number) => {
    const el = track.current;
    if (el) el.scrollBy({ left: dir * el.clientWidth * 0.85, behavior: 'smooth' });
  };
  const headingId = `row-${id.replace(/[^a-z0-9_-]/gi, '-')}`;
  return (
    <section class="row" data-testid={`row-${id}`} aria-labelledby={headingId}>
      <div class="row-head">
        <h2 id={headingId}>{href ? <Link href={href}>{title}</Link> : title}</h2>
        <div class="row-arrows">
          <button
            type="button"
            class="icon-btn"
            aria-label={`scroll ${title} left`}
            onClick={() => scroll(-1)}
          >
            ‹
          </button>
          <button
            type="button"
            class="icon-btn"
            aria-label={`scroll ${title} right`}
            onClick={() => scroll(1)}
          >
            ›
          </button>
        </div>
      </div>
      <div class="row-track" ref={track}>
        {items.map((c) => (
          <Card
            key={c.id}
            id={c.id}
            item={c}
            progress={id === 'continue_watching' ? (c.progress?.percent ?? 0) : undefined}
          />
        ))}
      </div>
    </section>
  );
}

export function catalogHref(name: string): string {
  return `/catalog/${encodeURIComponent(catalogId(name))}`;
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div class="spinner-wrap" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      <span class="sr-only">{label}</span>
    </div>
  );
}

/** A message box; `kind` picks the colour. */
export function Notice({
  kind = 'info',
  title,
  children,
  testid,
}: {
  kind?: 'info' | 'warn' | 'error' | 'ok';
  title?: string;
  children?: ComponentChildren;
  testid?: string;
}) {
  return (
    <div
      class={`notice notice-${kind}`}
      role={kind === 'error' ? 'alert' : 'status'}
      data-testid={testid}
    >
      {title ? <strong class="notice-title">{title}</strong> : null}
      {children ? <div class="notice-body">{children}</div> : null}
    </div>
  );
}

/** An API failure, with its correlation id so support can find it in the logs. */
export function ErrorNotice({
  error,
  title,
  onRetry,
}: {
  error: ApiError | Error;
  title?: string;
  onRetry?: () => void;
}) {
  const e = error as Partial<ApiError>;
  return (
    <Notice kind="error" title={title ?? 'Something went wrong'} testid="error">
      <p>{error.message}</p>
      <p class="muted small">
        {e.code ? <code>{e.code}</code> : null}
        {e.correlationId ? (
          <>
            {' '}
            · ref <code>{e.correlationId}</code>
          </>
        ) : null}
      </p>
      {onRetry ? (
        <button type="button" class="btn btn-ghost" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </Notice>
  );
}

export { duration };
