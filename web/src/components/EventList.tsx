/** A catalog's events grouped by season or year, newest first, each linking to its page. */
import type { EventSummary, Page } from '../api.ts';
import { duration } from '../format.ts';
import { useApi } from '../hooks.ts';
import { Link, withQuery } from '../router.tsx';

export function EventList({ catalogId }: { catalogId: string }) {
  const events = useApi<Page<EventSummary>>(
    withQuery('/api/events', { catalog: catalogId, limit: 100 }),
  );
  const items = events.data?.items ?? [];
  if (!items.length) return null;
  // The API answers newest first; keep that order while grouping.
  const groups = new Map<string, EventSummary[]>();
  for (const e of items) {
    const key = e.season ?? (e.year === null ? 'Other' : String(e.year));
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return (
    <section class="events" data-testid="event-list" aria-label="Events">
      {[...groups].map(([season, list]) => (
        <div key={season} class="event-group">
          <h2>{season}</h2>
          <ul class="event-cards">
            {list.map((e) => (
              <li key={e.id}>
                <Link
                  href={`/event/${encodeURIComponent(e.id)}`}
                  class="event-card"
                  data-testid="event-card"
                  data-event-id={e.id}
                >
                  <span class="event-name">{e.name}</span>
                  <span class="muted small">
                    {e.episode_count} episode{e.episode_count === 1 ? '' : 's'}
                    {e.duration_seconds ? ` · ${duration(e.duration_seconds)}` : ''}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
