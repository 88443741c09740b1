import { useEffect, useState } from 'preact/hooks';
import { toApiError } from '../shared/api.js';
import { roleLabel } from '../shared/labels.js';
import { Link, currentLocation, navigate, useLocation } from '../shared/router.js';
import { ErrorBanner, ErrorBoundary, Loading } from '../shared/ui.js';
import { UNAUTHORIZED_EVENT, api, fetchMe, fetchNotifications, forgetSession, type Me } from './data.js';
import { activeSection, homeFor, menuFor } from './nav.js';
import { LoginPage } from './pages/login.js';
import { Routes } from './routes.js';

type Session = { state: 'checking' } | { state: 'out'; message?: string } | { state: 'in'; me: Me };

/** The console: the session (token in sessionStorage, the caller from GET /me), the frame and the current page. */
export function App() {
  const [session, setSession] = useState<Session>(() => (api.token() ? { state: 'checking' } : { state: 'out' }));
  const [startError, setStartError] = useState<unknown>(null);

  useEffect(() => {
    const ended = (event: Event) => {
      forgetSession();
      setSession({ state: 'out', message: (event as CustomEvent<string>).detail });
    };
    window.addEventListener(UNAUTHORIZED_EVENT, ended);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, ended);
  }, []);

  useEffect(() => {
    if (session.state !== 'checking') {
      return;
    }
    fetchMe().then(
      (me) => setSession({ state: 'in', me }),
      (error: unknown) => {
        if (toApiError(error).status === 401) {
          setSession({ state: 'out' });
        } else {
          setStartError(error);
        }
      },
    );
  }, [session.state]);

  if (session.state === 'checking') {
    return startError ? (
      <main class="page page-narrow">
        <ErrorBanner error={startError} onRetry={() => window.location.reload()} />
      </main>
    ) : (
      <Loading label="正在确认登录状态……" />
    );
  }
  if (session.state === 'out') {
    return (
      <LoginPage
        {...(session.message ? { message: session.message } : {})}
        onSignedIn={(me) => {
          setSession({ state: 'in', me });
          const { path } = currentLocation();
          if (path === '' || path === 'login') {
            navigate(homeFor(me.role), { replace: true });
          }
        }}
      />
    );
  }
  return (
    <Frame
      me={session.me}
      onSignOut={() => {
        forgetSession();
        setSession({ state: 'out', message: '您已退出登录' });
        navigate('login', { replace: true });
      }}
    />
  );
}

function Frame({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  const location = useLocation();
  const section = activeSection(location.path);
  const [unread, setUnread] = useState<string | null>(null);

  useEffect(() => {
    fetchNotifications(null, true).then(
      (page) => setUnread(page.items.length ? `${page.items.length}${page.nextCursor ? '+' : ''}` : null),
      () => setUnread(null),
    );
  }, [location.path]);

  return (
    <div class="shell">
      <header class="topbar">
        <Link to={homeFor(me.role)} class="brand">
          <span class="brand-mark" aria-hidden="true">
            暖
          </span>
          <span class="brand-name">越温暖</span>
          <span class="brand-sub">工会帮扶工作台</span>
        </Link>
        <div class="whoami" data-testid="whoami">
          <span class="whoami-name">{me.name}</span>
          <span class="whoami-role">{roleLabel(me.role)}</span>
          <span class="whoami-unit">{me.unitName}</span>
          <button type="button" class="button button-quiet button-small" onClick={onSignOut}>
            退出
          </button>
        </div>
      </header>
      <nav class="nav" aria-label="主菜单">
        {menuFor(me.role).map((group) => (
          <div
            key={group.label ?? group.items[0]!.path}
            class="nav-group"
            role={group.label ? 'group' : undefined}
            aria-label={group.label ?? undefined}
          >
            {group.label && (
              <span class="nav-group-label" aria-hidden="true">
                {group.label}
              </span>
            )}
            {group.items.map((item) => (
              <Link
                key={item.path}
                to={item.path}
                class={section === item.path ? 'nav-item nav-item-active' : 'nav-item'}
              >
                {item.label}
                {item.path === 'notifications' && unread && <span class="nav-count">{unread}</span>}
              </Link>
            ))}
          </div>
        ))}
      </nav>
      <ErrorBoundary resetKey={location.path}>
        <Routes me={me} location={location} />
      </ErrorBoundary>
    </div>
  );
}
