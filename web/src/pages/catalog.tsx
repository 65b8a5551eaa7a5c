/** The list of catalogs and one catalog's items, page by page. */
import { EventList } from '../components/EventList.tsx';
import type { Catalog, Content, Page } from '../api.ts';
import { Card, ErrorNotice, Notice, Spinner } from '../components/ui.tsx';
import { useApi, useTitle } from '../hooks.ts';
import { Link, useLocation, withQuery } from '../router.tsx';

const PAGE_SIZE = 24;

export function CatalogsPage() {
  useTitle('Catalogs');
  const cats = useApi<{ items: Catalog[] }>('/api/catalogs');
  return (
    <div class="page" data-testid="catalogs-page">
      <h1>Catalogs</h1>
      {cats.error ? <ErrorNotice error={cats.error} onRetry={cats.reload} /> : null}
      {!cats.data && !cats.error ? <Spinner /> : null}
      {cats.data?.items?.length === 0 ? <Notice>No catalogs yet.</Notice> : null}
      <ul class="catalog-list">
        {cats.data?.items?.map((c) => (
          <li key={c.id}>
            <Link
              href={`/catalog/${encodeURIComponent(c.id)}`}
              class="catalog-tile"
              data-testid="catalog-tile"
            >
              <span class="catalog-name">{c.name}</span>
              <span class="muted small">
                {c.content_count} video{c.content_count === 1 ? '' : 's'}
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function CatalogPage({ id }: { id: string }) {
  const loc = useLocation();
  const page = Math.max(1, Number.parseInt(loc.query.get('page') ?? '1', 10) || 1);
  const cats = useApi<{ items: Catalog[] }>('/api/catalogs');
  const list = useApi<Page<Content>>(
    withQuery('/api/contents', { catalog: id, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
  );
  const name =
    cats.data?.items?.find((c) => c.id === id)?.name ?? list.data?.items?.[0]?.catalog ?? id;
  useTitle(name);
  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <div class="page" data-testid="catalog-page">
      <p class="eyebrow">
        <Link href="/catalogs">Catalogs</Link>
      </p>
      <h1>{name}</h1>
      {list.data ? (
        <p class="muted">
          {total} video{total === 1 ? '' : 's'}
        </p>
      ) : null}
      {page === 1 ? <EventList catalogId={id} /> : null}
      {list.error ? <ErrorNotice error={list.error} onRetry={list.reload} /> : null}
      {!list.data && !list.error ? <Spinner /> : null}
      {list.data && list.data.items.length === 0 ? (
        <Notice>Nothing in this catalog{page > 1 ? ' on this page' : ''}.</Notice>
      ) : null}
      <div class="grid">
        {list.data?.items.map((c) => (
          <Card key={c.id} id={c.id} item={c} progress={c.progress?.percent} />
        ))}
      </div>
      <Pager
        page={page}
        pages={pages}
        href={(p) =>
          withQuery(`/catalog/${encodeURIComponent(id)}`, { page: p > 1 ? p : undefined })
        }
      />
    </div>
  );
}

export function Pager({
  page,
  pages,
  href,
}: {
  page: number;
  pages: number;
  href: (p: number) => string;
}) {
  if (pages <= 1) return null;
  return (
    <nav class="pager" aria-label="Pages" data-testid="pager">
      {page > 1 ? (
        <Link href={href(page - 1)} class="btn btn-ghost" rel="prev" data-testid="pager-prev">
          ← Previous
        </Link>
      ) : (
        <span class="btn btn-ghost disabled" aria-disabled="true">
          ← Previous
        </span>
      )}
      <span class="pager-pos">
        Page {page} of {pages}
      </span>
      {page < pages ? (
        <Link href={href(page + 1)} class="btn btn-ghost" rel="next" data-testid="pager-next">
          Next →
        </Link>
      ) : (
        <span class="btn btn-ghost disabled" aria-disabled="true">
          Next →
        </span>
      )}
    </nav>
  );
}
