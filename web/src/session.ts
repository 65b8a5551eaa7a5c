/**
 * Who is signed in: the token pair and the user, kept in localStorage (so a reload and other
 * tabs see it) and mirrored in memory. Components subscribe with `useSession()`.
 */
import { useEffect, useState } from 'preact/hooks';
import type { User } from './api.ts';

export interface Tokens {
  access_token: string;
  refresh_token: string;
  /** Epoch ms when the access token expires. */
  expires_at: number;
  user: User;
}

/** Why the viewer was signed out, shown once on the sign-in page. */
export interface SignOutNotice {
  code: string;
  message: string;
}

const KEY = 'wsoptv.session';
type Listener = () => void;

function read(): Tokens | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const t = JSON.parse(raw) as Tokens;
    return t && typeof t.access_token === 'string' && typeof t.refresh_token === 'string' && t.user
      ? t
      : null;
  } catch {
    return null;
  }
}

class SessionStore {
  tokens: Tokens | null = read();
  notice: SignOutNotice | null = null;
  private listeners = new Set<Listener>();

  constructor() {
    // Another tab signed in, out, or rotated the tokens.
    window.addEventListener('storage', (e) => {
      if (e.key === KEY || e.key === null) {
        this.tokens = read();
        this.emit();
      }
    });
  }

  get user(): User | null {
    return this.tokens?.user ?? null;
  }

  reload(): void {
    this.tokens = read();
  }

  set(tokens: Tokens): void {
    this.tokens = tokens;
    this.notice = null;
    try {
      localStorage.setItem(KEY, JSON.stringify(tokens));
    } catch {
      /* private mode: stay signed in for this tab only */
    }
    this.emit();
  }

  updateUser(user: User): void {
    if (this.tokens) this.set({ ...this.tokens, user });
  }

  signOut(notice: SignOutNotice | null = null): void {
    this.tokens = null;
    this.notice = notice;
    try {
      localStorage.removeItem(KEY);
    } catch {
      /* ignore */
    }
    this.emit();
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}

export const session = new SessionStore();

/** Re-renders the caller whenever the signed-in user changes. */
export function useSession(): { user: User | null; notice: SignOutNotice | null } {
  const [, force] = useState(0);
  useEffect(() => session.subscribe(() => force((n) => n + 1)), []);
  return { user: session.user, notice: session.notice };
}
