/** Entry point: the shell (header, routes) and the route table. */
import './styles.css';
import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { api } from './api.ts';
import { SearchBox } from './components/SearchBox.tsx';
import { Link, match, navigate, useLocation, withQuery } from './router.tsx';
import { session, useSession } from './session.ts';
import { LoginPage } from './pages/login.tsx';
import { PendingPage, RegisterPage } from './pages/register.tsx';
import { HomePage } from './pages/home.tsx';
import { CatalogPage, CatalogsPage } from './pages/catalog.tsx';
import { SearchPage } from './pages/search.tsx';
import { ContentPage } from './pages/content.tsx';
import { WatchPage } from './pages/watch.tsx';
import { EventPage } from './pages/event.tsx';
import { HistoryPage, MyListPage } from './pages/lists.tsx';
import { AdminPage } from './pages/admin/index.tsx';

type Params = Record<string, string>;
interface Route {
  pattern: string;
  view: (p: Params) => preact.JSX.Element;
  /** Needs a signed-in user. */
  auth?: boolean;
  /** Full-bleed page without the header (the player). */
  bare?: boolean;
}

const routes: Route[] = [
  { pattern: '/login', view: () => <LoginPage /> },
  { pattern: '/register', view: () => <RegisterPage /> },
  { pattern: '/pending', view: () => <PendingPage /> },
  { pattern: '/', view: () => <HomePage />, auth: true },
  { pattern: '/catalogs', view: () => <CatalogsPage />, auth: true },
  { pattern: '/catalog/:id', view: (p) => <CatalogPage id={p.id} />, auth: true },
  { pattern: '/search', view: () => <SearchPage />, auth: true },
  { pattern: '/content/:id', view: (p) => <ContentPage id={p.id} />, auth: true },
  { pattern: '/event/:id', view: (p) => <EventPage id={p.id} />, auth: true },
  { pattern: '/my-list', view: () => <MyListPage />, auth: true },
  { pattern: '/history', view: () => <HistoryPage />, auth: true },
  { pattern: '/watch/:id', view: (p) => <WatchPage id={p.id} />, auth: true, bare: true },
  { pattern: '/admin', view: () => <AdminPage />, auth: true },
];

function App() {
  const loc = useLocation();
  const { user } = useSession();
  const main = useRef<HTMLElement>(null);
  let found: { route: Route; params: Params } | undefined;
  for (const route of routes) {
    const params = match(route.pattern, loc.path);
    if (params) {
      found = { route, params };
      break;
    }
  }
  const needsLogin = !!found?.route.auth && !user;

  useEffect(() => {
    if (needsLogin)
      navigate(withQuery('/login', { next: loc.href === '/' ? undefined : loc.href }), {
        replace: true,
      });
  }, [needsLogin, loc.href]);

  // Move focus to the new page for keyboard and screen-reader users (not on first load).
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: true });
  }, [loc.path]);

  if (needsLogin) return null;
  const bare = found?.route.bare;
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      {bare ? null : (
        <Header path={loc.path} q={loc.path === '/search' ? (loc.query.get('q') ?? '') : ''} />
      )}
      <main id="main" ref={main} tabIndex={-1} class={bare ? 'main-bare' : 'main'}>
        {found ? found.route.view(found.params) : <NotFound />}
      </main>
    </>
  );
}

function Header({ path, q }: { path: string; q: string }) {
  const { user } = useSession();
  const signOut = async () => {
    try {
      await api('/api/auth/logout', { method: 'POST' });
    } catch {
      /* signed out locally either way */
    }
    session.signOut();
    navigate('/login');
  };
  const nav = (href: string, label: string, testid: string) => (
    <Link
      href={href}
      class={
        path === href || (href !== '/' && path.startsWith(href)) ? 'nav-link active' : 'nav-link'
      }
      aria-current={path === href ? 'page' : undefined}
      data-testid={testid}
    >
      {label}
    </Link>
  );
  return (
    <header class="topbar">
      <Link href={user ? '/' : '/login'} class="brand" aria-label="WSOPTV home">
        <span class="brand-mark" aria-hidden="true">
          ♠
        </span>
        <span class="brand-name">
          WSOP<b>TV</b>
        </span>
      </Link>
      {user ? (
        <>
          <nav class="nav" aria-label="Main">
            {nav('/', 'Home', 'nav-home')}
            {nav('/catalogs', 'Catalogs', 'nav-catalogs')}
            {nav('/my-list', 'My list', 'nav-my-list')}
            {nav('/history', 'History', 'nav-history')}
            {user.role === 'admin' ? nav('/admin', 'Dashboard', 'nav-admin') : null}
          </nav>
          <SearchBox initial={q} />
          <div class="user-menu">
            <span class="user-name" data-testid="user-name" title={user.email}>
              {user.username}
            </span>
            <button
              type="button"
              class="btn btn-ghost btn-sm signout"
              onClick={() => void signOut()}
              data-testid="logout"
              aria-label="Sign out"
            >
              <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                <path
                  d="M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3M10 16l-4-4 4-4M6 12h10"
                  fill="none"
                  stroke="currentColor"
                  stroke-width="2"
                  stroke-linecap="round"
                  stroke-linejoin="round"
                />
              </svg>
              <span class="signout-label">Sign out</span>
            </button>
          </div>
        </>
      ) : (
        <nav class="nav nav-right" aria-label="Account">
          {nav('/login', 'Sign in', 'nav-login')}
          {nav('/register', 'Request access', 'nav-register')}
        </nav>
      )}
    </header>
  );
}

function NotFound() {
  return (
    <div class="page narrow center" data-testid="not-found">
      <h1>Nothing here</h1>
      <p class="muted">That page does not exist. It may have been moved, or the link is wrong.</p>
      <Link href="/" class="btn btn-primary">
        Back to the archive
      </Link>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
