/**
 * The viewer's marks on an item: "my list" (add / remove) and "watched" (mark / unmark). Each
 * button shows the state at once and puts it back when the server refuses.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';

function useToggle(initial: boolean, send: (on: boolean) => Promise<unknown>) {
  const [on, setOn] = useState(initial);
  const [busy, setBusy] = useState(false);
  const flip = async () => {
    const next = !on;
    setOn(next);
    setBusy(true);
    try {
      await send(next);
    } catch {
      setOn(!next);
    } finally {
      setBusy(false);
    }
  };
  return { on, busy, flip };
}

export function ListButton({
  id,
  onList,
  small,
}: {
  id: string;
  onList: boolean;
  small?: boolean;
}) {
  const t = useToggle(onList, (on) =>
    api(`/api/my-list/${encodeURIComponent(id)}`, { method: on ? 'PUT' : 'DELETE' }),
  );
  return (
    <button
      type="button"
      class={`btn btn-ghost ${small ? 'btn-sm' : ''}`}
      aria-pressed={t.on}
      disabled={t.busy}
      onClick={(e) => (e.preventDefault(), void t.flip())}
      data-testid="list-toggle"
      data-on-list={t.on ? 'true' : 'false'}
    >
      {t.on ? '✓ My list' : '+ My list'}
    </button>
  );
}

export function WatchedButton({
  path,
  watched,
  label,
  onChange,
}: {
  /** `/api/watched/<id>` or `/api/events/<id>/watched`. */
  path: string;
  watched: boolean;
  label?: string;
  onChange?: () => void;
}) {
  const t = useToggle(watched, async (on) => {
    await api(path, { method: 'PUT', body: { watched: on } });
    onChange?.();
  });
  return (
    <button
      type="button"
      class="btn btn-ghost btn-sm"
      aria-pressed={t.on}
      disabled={t.busy}
      onClick={(e) => (e.preventDefault(), void t.flip())}
      data-testid="watched-toggle"
      data-watched={t.on ? 'true' : 'false'}
    >
      {t.on ? `✓ ${label ?? 'Watched'}` : `Mark ${label?.toLowerCase() ?? 'watched'}`}
    </button>
  );
}
