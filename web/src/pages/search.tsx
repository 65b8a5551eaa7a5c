/**
 * Search results with filters (catalog, duration) kept in the URL, so results can be shared and
 * reloaded.
 */
import { isFallbackEngine, type Catalog, type SearchResult } from '../api.ts';
import { Card, ErrorNotice, hitAsItem, Notice, Spinner } from '../components/ui.tsx';
import { useApi, useTitle } from '../hooks.ts';
import { navigate, useLocation, withQuery } from '../router.tsx';
import { Pager } from './catalog.tsx';

const PAGE_SIZE = 24;

/** Duration filter buckets (seconds). */
export const DURATIONS: Record<string, { label: string; min?: number; max?: number }> = {
  '': { label: 'Any length' },
  short: { label: 'Under 30 min', max: 30 * 60 },
  medium: { label: '30 min – 2 h', min: 30 * 60, max: 2 * 3600 },
  long: { label: 'Over 2 h', min: 2 * 3600 },
};

export function SearchPage() {
  const loc = useLocation();
  const q = (loc.query.get('q') ?? '').trim();
  const catalog = loc.query.get('catalog') ?? '';
  const dur = loc.query.get('duration') ?? '';
  const page = Math.max(1, Number.parseInt(loc.query.get('page') ?? '1', 10) || 1);
  const bucket = DURATIONS[dur] ?? DURATIONS[''];
  useTitle(q ? `“${q}”` : 'Search');

  const cats = useApi<{ items: Catalog[] }>('/api/catalogs');
  const path =
    q.length >= 2
      ? withQuery('/api/search', {
          q,
          catalog,
          min_duration: bucket.min,
          max_duration: bucket.max,
          page,
          limit: PAGE_SIZE,
        })
      : null;
  const res = useApi<SearchResult>(path);

  const setFilter = (patch: Record<string, string | undefined>) =>
    navigate(withQuery('/search', { q, catalog, duration: dur, ...patch, page: undefined }));

  return (
    <div class="page" data-testid="search-page">
      <h1>{q ? <>Results for “{q}”</> : 'Search'}</h1>
      <form class="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <label class="field field-inline">
          <span>Catalog</span>
          <select
            value={catalog}
            onChange={(e) => setFilter({ catalog: e.currentTarget.value })}
            data-testid="filter-catalog"
          >
            <option value="">All catalogs</option>
            {cats.data?.items?.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label class="field field-inline">
          <span>Length</span>
          <select
            value={dur}
            onChange={(e) => setFilter({ duration: e.currentTarget.value })}
            data-testid="filter-duration"
          >
            {Object.entries(DURATIONS).map(([k, v]) => (
              <option key={k} value={k}>
                {v.label}
              </option>
            ))}
          </select>
        </label>
      </form>

      {q.length < 2 ? <Notice>Type at least two characters in the search box.</Notice> : null}
      {res.data && isFallbackEngine(res.data.engine) ? (
        <Notice kind="warn" title="Search is running in a simplified mode" testid="search-fallback">
          Only exact words in titles and descriptions match right now, and typos are not forgiven.
          Full search will be back shortly.
        </Notice>
      ) : null}
      {res.error ? (
        <ErrorNotice error={res.error} title="Search failed" onRetry={res.reload} />
      ) : null}
      {path && !res.data && !res.error ? <Spinner label="Searching…" /> : null}
      {res.data ? (
        <p class="muted" data-testid="search-total" aria-live="polite">
          {res.data.total} result{res.data.total === 1 ? '' : 's'}
        </p>
      ) : null}
      {res.data && res.data.results.length === 0 ? (
        <Notice testid="search-empty">
          Nothing matched. Try fewer words or another spelling, or clear the filters.
        </Notice>
      ) : null}
      <div class="grid" data-testid="search-results">
        {res.data?.results.map((h) => (
          <Card key={h.content_id} id={h.content_id} item={hitAsItem(h)} />
        ))}
      </div>
      {res.data ? (
        <Pager
          page={page}
          pages={res.data.pages}
          href={(p) =>
            withQuery('/search', { q, catalog, duration: dur, page: p > 1 ? p : undefined })
          }
        />
      ) : null}
    </div>
  );
}
