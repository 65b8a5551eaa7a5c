/**
 * The header's search field: suggestions as you type (debounced, ARIA combobox with arrow keys),
 * Enter opens the results page, picking a suggestion opens the item.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useDebounced } from '../hooks.ts';
import { navigate, withQuery } from '../router.tsx';

interface Suggestion {
  content_id: string;
  title: string;
}

export function SearchBox({ initial = '' }: { initial?: string }) {
  const [q, setQ] = useState(initial);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const debounced = useDebounced(q.trim(), 180);
  const box = useRef<HTMLFormElement>(null);

  useEffect(() => setQ(initial), [initial]);

  useEffect(() => {
    if (debounced.length < 2) {
      setSuggestions([]);
      return;
    }
    const ctrl = new AbortController();
    api<{ suggestions?: Suggestion[] }>(
      withQuery('/api/search/suggest', { q: debounced, limit: 8 }),
      { signal: ctrl.signal },
    ).then(
      (r) => {
        setSuggestions(r?.suggestions ?? []);
        setActive(-1);
      },
      () => !ctrl.signal.aborted && setSuggestions([]),
    );
    return () => ctrl.abort();
  }, [debounced]);

  useEffect(() => {
    const close = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, []);

  const show = open && suggestions.length > 0 && q.trim().length >= 2;
  const go = (s: Suggestion) => {
    setOpen(false);
    navigate(`/content/${encodeURIComponent(s.content_id)}`);
  };

  return (
    <form
      ref={box}
      class="search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        if (show && active >= 0 && suggestions[active]) return go(suggestions[active]);
        const term = q.trim();
        if (term.length < 2) return;
        setOpen(false);
        navigate(withQuery('/search', { q: term }));
      }}
    >
      <label class="sr-only" for="search-input">
        Search the archive
      </label>
      <input
        id="search-input"
        type="search"
        placeholder="Search events, players, seasons…"
        autoComplete="off"
        spellcheck={false}
        value={q}
        role="combobox"
        aria-expanded={show}
        aria-controls="search-suggestions"
        aria-autocomplete="list"
        aria-activedescendant={show && active >= 0 ? `suggestion-${active}` : undefined}
        data-testid="search-input"
        onInput={(e) => {
          setQ(e.currentTarget.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && suggestions.length) {
            e.preventDefault();
            setOpen(true);
            setActive((a) => (a + 1) % suggestions.length);
          } else if (e.key === 'ArrowUp' && suggestions.length) {
            e.preventDefault();
            setActive((a) => (a <= 0 ? suggestions.length - 1 : a - 1));
          } else if (e.key === 'Escape') setOpen(false);
        }}
      />
      <button type="submit" class="search-btn" aria-label="Search" data-testid="search-submit">
        <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
          <circle cx="11" cy="11" r="7" fill="none" stroke="currentColor" stroke-width="2" />
          <path d="M20 20l-4-4" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
        </svg>
      </button>
      {show ? (
        <ul
          id="search-suggestions"
          class="suggestions"
          role="listbox"
          data-testid="search-suggestions"
        >
          {suggestions.map((s, i) => (
            <li
              key={s.content_id}
              id={`suggestion-${i}`}
              role="option"
              aria-selected={i === active}
              class={i === active ? 'active' : ''}
              data-testid="search-suggestion"
              onMouseDown={(e) => {
                e.preventDefault();
                go(s);
              }}
            >
              {s.title}
            </li>
          ))}
        </ul>
      ) : null}
    </form>
  );
}
