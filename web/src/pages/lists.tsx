/** The viewer's own lists: "my list" (what they keep to watch) and their watch history. */
import type { Episode, Page } from '../api.ts';
import { api } from '../api.ts';
import { Card, ErrorNotice, Notice, Spinner } from '../components/ui.tsx';
import { ago } from '../format.ts';
import { useApi, useTitle } from '../hooks.ts';

export function MyListPage() {
  useTitle('My list');
  const list = useApi<Page<Episode>>('/api/my-list?limit=100');
  return (
    <div class="page" data-testid="my-list-page">
      <h1>My list</h1>
      {list.error && !list.data ? (
        <ErrorNotice
          error={list.error}
          title="Your list could not be loaded"
          onRetry={list.reload}
        />
      ) : !list.data ? (
        <Spinner />
      ) : list.data.items.length === 0 ? (
        <Notice title="Your list is empty">
          Add videos with “+ My list” on a video or event page to find them here.
        </Notice>
      ) : (
        <div class="grid" data-testid="my-list">
          {list.data.items.map((c) => (
            <Card key={c.id} id={c.id} item={c} progress={c.progress?.percent} />
          ))}
        </div>
      )}
    </div>
  );
}

export function HistoryPage() {
  useTitle('History');
  const h = useApi<Page<Episode>>('/api/history?limit=100');
  const remove = async (id: string) => {
    await api(`/api/history/${encodeURIComponent(id)}`, { method: 'DELETE' }).catch(() => null);
    h.reload();
  };
  return (
    <div class="page narrow" data-testid="history-page">
      <h1>History</h1>
      {h.error && !h.data ? (
        <ErrorNotice error={h.error} title="Your history could not be loaded" onRetry={h.reload} />
      ) : !h.data ? (
        <Spinner />
      ) : h.data.items.length === 0 ? (
        <Notice title="Nothing watched yet">What you watch appears here, newest first.</Notice>
      ) : (
        <ul class="history-list" data-testid="history-list">
          {h.data.items.map((c) => (
            <li key={c.id} class="history-item" data-testid="history-item" data-content-id={c.id}>
              <Card id={c.id} item={c} progress={c.progress?.percent} />
              <div class="history-facts">
                <span class="muted small">
                  {c.progress?.finished ? 'Watched' : `${Math.round(c.progress?.percent ?? 0)} %`} ·{' '}
                  {ago(c.progress?.updated_at)}
                </span>
                <button
                  type="button"
                  class="btn btn-ghost btn-sm"
                  onClick={() => void remove(c.id)}
                  data-testid="history-remove"
                >
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
