/** Home: the newest item as the hero, then the rows from /api/home. */
import type { Content, Home } from '../api.ts';
import { catalogHref, ErrorNotice, Notice, Row, Spinner, Thumb } from '../components/ui.tsx';
import { duration } from '../format.ts';
import { useApi, useTitle } from '../hooks.ts';
import { Link } from '../router.tsx';

export function HomePage() {
  useTitle(undefined);
  const home = useApi<Home>('/api/home');
  if (home.error && !home.data)
    return (
      <div class="page">
        <ErrorNotice
          error={home.error}
          title="The archive could not be loaded"
          onRetry={home.reload}
        />
      </div>
    );
  if (!home.data) return <Spinner />;
  const { hero, rows = [] } = home.data;
  const visible = rows.filter((r) => r.items?.length);
  return (
    <div class="home" data-testid="home-page">
      {hero ? <Hero item={hero} /> : null}
      <div class="rows">
        {visible.length === 0 ? (
          <div class="page">
            <Notice title="The archive is empty">
              No videos have been added yet. Once the library scan has found some, they appear here.
            </Notice>
          </div>
        ) : (
          visible.map((r) => {
            const catalog = r.id.startsWith('catalog:') ? r.id.slice('catalog:'.length) : undefined;
            return (
              <Row
                key={r.id}
                id={r.id}
                title={r.title}
                items={r.items}
                href={catalog ? `/catalog/${encodeURIComponent(catalog)}` : undefined}
              />
            );
          })
        )}
      </div>
    </div>
  );
}

function Hero({ item }: { item: Content }) {
  const meta = [
    item.catalog,
    duration(item.duration_seconds),
    typeof item.metadata?.year === 'number' || typeof item.metadata?.year === 'string'
      ? String(item.metadata.year)
      : '',
  ].filter(Boolean);
  return (
    <section class="hero" data-testid="hero" aria-label="Featured">
      <div class="hero-media" aria-hidden="true">
        <Thumb item={item} eager />
      </div>
      <div class="hero-shade" aria-hidden="true" />
      <div class="hero-body">
        <p class="eyebrow">New in the archive</p>
        <h1 class="hero-title">{item.title}</h1>
        <p class="hero-meta">
          {meta.map((m, i) => (
            <span key={i}>{i === 0 ? <Link href={catalogHref(item.catalog)}>{m}</Link> : m}</span>
          ))}
        </p>
        {item.description ? <p class="hero-desc">{item.description}</p> : null}
        <div class="hero-actions">
          <Link
            href={`/watch/${encodeURIComponent(item.id)}`}
            class="btn btn-primary btn-lg"
            data-testid="hero-play"
          >
            ▶ Play
          </Link>
          <Link href={`/content/${encodeURIComponent(item.id)}`} class="btn btn-ghost btn-lg">
            More info
          </Link>
        </div>
      </div>
    </section>
  );
}
