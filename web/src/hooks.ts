/** Data-loading hooks shared by the pages. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from './api.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Load again now (keeps the old data on screen meanwhile). */
  reload: () => void;
}

/**
 * GETs `path` (null: nothing yet) and keeps the answer. With `refreshMs` it polls, skipping
 * polls while the tab is hidden; a failed poll keeps the last good data next to the error.
 */
export function useApi<T>(path: string | null, opts: { refreshMs?: number } = {}): Loaded<T> {
  const [state, setState] = useState<{
    data?: T;
    error?: ApiError;
    loading: boolean;
    path: string | null;
  }>({ loading: path !== null, path });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    if (path === null) return;
    const ctrl = new AbortController();
    setState((s) => ({
      ...s,
      loading: true,
      path,
      ...(s.path !== path ? { data: undefined, error: undefined } : {}),
    }));
    api<T>(path, { signal: ctrl.signal }).then(
      (data) => !ctrl.signal.aborted && setState({ data, error: undefined, loading: false, path }),
      (err: unknown) => {
        if (ctrl.signal.aborted) return;
        const error =
          err instanceof ApiError
            ? err
            : new ApiError(0, 'CLIENT', err instanceof Error ? err.message : String(err));
        setState((s) => ({
          data: s.path === path ? s.data : undefined,
          error,
          loading: false,
          path,
        }));
      },
    );
    return () => ctrl.abort();
  }, [path, tick]);

  useEffect(() => {
    if (!opts.refreshMs || path === null) return;
    const id = window.setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, opts.refreshMs);
    return () => window.clearInterval(id);
  }, [opts.refreshMs, path, reload]);

  const fresh = state.path === path;
  return {
    data: fresh ? state.data : undefined,
    error: fresh ? state.error : undefined,
    loading: !fresh || state.loading,
    reload,
  };
}

/** `value`, settled for `ms` (for search-as-you-type). */
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(id);
  }, [value, ms]);
  return v;
}

/** Sets document.title for the page. */
export function useTitle(title: string | undefined): void {
  const last = useRef<string>();
  useEffect(() => {
    const t = title ? `${title} · WSOPTV` : 'WSOPTV';
    if (last.current !== t) document.title = last.current = t;
  }, [title]);
}
