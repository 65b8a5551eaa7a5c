/**
 * A tiny history router: real paths (/watch/<id>, /admin, …), no hash. The server answers every
 * non-API path with index.html, so a reload lands back here. `navigate()` pushes a history entry
 * and tells every `useLocation()` subscriber; the back button comes in through `popstate`.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  path: string;
  query: URLSearchParams;
  /** path + search, as it appears in the address bar. */
  href: string;
}

type Listener = () => void;
const listeners = new Set<Listener>();

function current(): Location {
  const { pathname, search } = window.location;
  return { path: pathname, query: new URLSearchParams(search), href: pathname + search };
}

function notify(): void {
  for (const l of [...listeners]) l();
}

/** In-app history depth: 0 means Back would leave the app. */
let depth = 0;
window.addEventListener('popstate', () => {
  depth = Math.max(0, depth - 1);
  notify();
});

/** Goes back inside the app, or to `fallback` when the visitor arrived on this page directly. */
export function back(fallback: string): void {
  if (depth > 0) window.history.back();
  else navigate(fallback, { replace: true });
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === current().href) {
    if (!opts.replace) window.scrollTo(0, 0);
    return;
  }
  if (opts.replace) window.history.replaceState(null, '', to);
  else {
    window.history.pushState(null, '', to);
    depth++;
  }
  window.scrollTo(0, 0);
  notify();
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const l = () => setLoc(current());
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return loc;
}

/** Matches `/watch/:id` against a path; returns the decoded params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i];
    if (seg.startsWith(':')) {
      try {
        params[seg.slice(1)] = decodeURIComponent(s[i]);
      } catch {
        return null;
      }
    } else if (seg !== s[i]) return null;
  }
  return params;
}

type AnchorProps = Omit<JSX.AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & {
  href: string;
  children?: ComponentChildren;
};

/** An <a> that navigates inside the app (a modified click still opens a new tab). */
export function Link({ href, onClick, ...rest }: AnchorProps) {
  return (
    <a
      {...rest}
      href={href}
      onClick={(e) => {
        if (typeof onClick === 'function') onClick(e);
        if (
          e.defaultPrevented ||
          e.button !== 0 ||
          e.metaKey ||
          e.ctrlKey ||
          e.shiftKey ||
          e.altKey
        )
          return;
        e.preventDefault();
        navigate(href);
      }}
    />
  );
}

/** Builds `path?query` leaving out empty values. */
export function withQuery(
  path: string,
  query: Record<string, string | number | undefined | null>,
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
