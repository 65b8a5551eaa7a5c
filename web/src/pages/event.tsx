/** An event (e.g. the 2024 Main Event): its episodes in broadcast order with the viewer's marks. */
import type { Episode, EventPage as EventData } from '../api.ts';
import { catalogHref, ErrorNotice, ProgressBar, Spinner } from '../components/ui.tsx';
import { ListButton, WatchedButton } from '../components/ViewerButtons.tsx';
import { clock, duration } from '../format.ts';
import { useApi, useTitle } from '../hooks.ts';
import { Link } from '../router.tsx';

const money = (n: number) => `$${n.toLocaleString('en-US')}`;

export function EventPage({ id }: { id: string }) {
  const ev = useApi<EventData>(`/api/events/${encodeURIComponent(id)}`);
  useTitle(ev.data?.event.name);
  if (ev.error && !ev.data)
    return (
      <div class="page narrow">
        <ErrorNotice
          error={ev.error}
          title={
            ev.error.status === 404 ? 'This event does not exist' : 'The event could not be loaded'
          }
          onRetry={ev.error.status === 404 ? undefined : ev.reload}
        />
      </div>
    );
  if (!ev.data) return <Spinner />;
  const { event, episodes } = ev.data;
  const allWatched = episodes.every((e) => e.progress?.finished);
  return (
    <div class="page event" data-testid="event-page">
      <p class="eyebrow">
        <Link href={catalogHref(event.catalog)}>{event.catalog}</Link>
        {event.season ? ` · ${event.season}` : ''}
      </p>
      <h1 data-testid="event-title">{event.name}</h1>
      <p class="hero-meta">
        <span>
          {event.episode_count} episode{event.episode_count === 1 ? '' : 's'}
        </span>
        {event.duration_seconds ? <span>{duration(event.duration_seconds)}</span> : null}
        {event.buy_in ? <span>{money(event.buy_in)} buy-in</span> : null}
      </p>
      <WatchedButton
        key={String(allWatched)}
        path={`/api/events/${encodeURIComponent(event.id)}/watched`}
        watched={allWatched}
        label="All watched"
        onChange={ev.reload}
      />
      <ol class="episode-list" data-testid="episode-list">
        {episodes.map((e, i) => (
          <EpisodeRow key={e.id} episode={e} n={i + 1} onChange={ev.reload} />
        ))}
      </ol>
    </div>
  );
}

function EpisodeRow({
  episode: e,
  n,
  onChange,
}: {
  episode: Episode;
  n: number;
  onChange: () => void;
}) {
  const watched = !!e.progress?.finished;
  return (
    <li
      class={`episode ${watched ? 'watched' : ''}`}
      data-testid="episode"
      data-content-id={e.id}
      data-watched={watched ? 'true' : 'false'}
    >
      <Link href={`/watch/${encodeURIComponent(e.id)}`} class="episode-main">
        <span class="episode-n" aria-hidden="true">
          {watched ? '✓' : n}
        </span>
        <span class="episode-title">{e.title}</span>
        <span class="muted small">{e.duration_seconds ? clock(e.duration_seconds) : ''}</span>
      </Link>
      {e.progress && !watched ? <ProgressBar value={e.progress.percent} /> : null}
      <div class="episode-actions">
        <WatchedButton
          key={String(watched)}
          path={`/api/watched/${encodeURIComponent(e.id)}`}
          watched={watched}
          onChange={onChange}
        />
        <ListButton id={e.id} onList={e.on_list} small />
      </div>
    </li>
  );
}
