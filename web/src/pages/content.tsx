/** One item: poster, facts, description and a Play / Resume button. */
import type { ContentDetail } from '../api.ts';
import { catalogHref, ErrorNotice, ProgressBar, Spinner, Thumb } from '../components/ui.tsx';
import { ListButton, WatchedButton } from '../components/ViewerButtons.tsx';
import { clock, dateTime, duration, resumePoint } from '../format.ts';
import { useApi, useTitle } from '../hooks.ts';
import { Link } from '../router.tsx';

export function ContentPage({ id }: { id: string }) {
  const c = useApi<ContentDetail>(`/api/contents/${encodeURIComponent(id)}`);
  useTitle(c.data?.title);
  if (c.error) {
    return (
      <div class="page narrow">
        <ErrorNotice
          error={c.error}
          title={
            c.error.status === 404 ? 'This video does not exist' : 'This video could not be loaded'
          }
          onRetry={c.error.status === 404 ? undefined : c.reload}
        />
        <Link href="/" class="btn btn-ghost">
          Back to the archive
        </Link>
      </div>
    );
  }
  if (!c.data) return <Spinner />;
  const item = c.data;
  const p = item.progress;
  const resumable = p && resumePoint(p, item.duration_seconds) > 0;
  const meta = Object.entries(item.metadata ?? {}).filter(([, v]) =>
    ['string', 'number'].includes(typeof v),
  );
  return (
    <div class="page detail" data-testid="content-page">
      <div class="detail-media">
        <Thumb item={item} eager />
        <Link
          href={`/watch/${encodeURIComponent(item.id)}`}
          class="detail-play"
          aria-label={`Play ${item.title}`}
        >
          <span aria-hidden="true">▶</span>
        </Link>
      </div>
      <div class="detail-body">
        <p class="eyebrow">
          <Link href={catalogHref(item.catalog)}>{item.catalog}</Link>
          {item.structure?.event_id ? (
            <>
              {' · '}
              <Link
                href={`/event/${encodeURIComponent(item.structure.event_id)}`}
                data-testid="event-link"
              >
                {[item.structure.season, item.structure.event].filter(Boolean).join(' ')}
              </Link>
            </>
          ) : null}
        </p>
        <h1 data-testid="content-title">{item.title}</h1>
        <p class="hero-meta">
          {item.duration_seconds ? <span>{duration(item.duration_seconds)}</span> : null}
          {item.added_at ? <span>Added {dateTime(item.added_at)}</span> : null}
        </p>
        {resumable ? (
          <div class="detail-progress">
            <ProgressBar value={p.percent} />
            <span class="muted small">
              Watched to {clock(p.position_seconds)} of{' '}
              {clock(p.duration_seconds || item.duration_seconds)}
            </span>
          </div>
        ) : null}
        <div class="hero-actions">
          <Link
            href={`/watch/${encodeURIComponent(item.id)}`}
            class="btn btn-primary btn-lg"
            data-testid="play-button"
          >
            {resumable
              ? `▶ Resume from ${clock(p.position_seconds)}`
              : p?.finished
                ? '▶ Watch again'
                : '▶ Play'}
          </Link>
          <ListButton id={item.id} onList={item.on_list} />
          <WatchedButton
            key={String(!!p?.finished)}
            path={`/api/watched/${encodeURIComponent(item.id)}`}
            watched={!!p?.finished}
            onChange={c.reload}
          />
        </div>
        {item.description ? <p class="detail-desc">{item.description}</p> : null}
        {meta.length ? (
          <dl class="facts">
            {meta.map(([k, v]) => (
              <div key={k}>
                <dt>{k.replace(/_/g, ' ')}</dt>
                <dd>{String(v)}</dd>
              </div>
            ))}
          </dl>
        ) : null}
      </div>
    </div>
  );
}
