import { useEffect, useState } from 'preact/hooks';
import { Link, match, useLocation } from '../shared/router.js';
import { ErrorBoundary } from '../shared/ui.js';
import { PHONE_UNAUTHORIZED_EVENT, api } from './data.js';
import { ApplyPage } from './pages/apply.js';
import { HomePage } from './pages/home.js';
import { LoginPage } from './pages/login.js';
import { PoliciesPage } from './pages/policies.js';
import { ProgressDetailPage, ProgressPage } from './pages/progress.js';
import { RecordsPage } from './pages/records.js';
import { StationsPage } from './pages/stations.js';
import { WarmListPage } from './pages/warm-list.js';

/** The worker's five functions and the nearest open station. Everything but stations needs the worker's login. */
export const FUNCTIONS = [
  { path: 'apply', label: '自主申报', hint: '遇到困难，自己提出帮扶申请', icon: '申' },
  { path: 'progress', label: '进度详情', hint: '申请办到哪一步、下一步是什么', icon: '进' },
  { path: 'records', label: '帮扶记录', hint: '每一件工单和每一笔帮扶', icon: '录' },
  { path: 'policies', label: '政策清单', hint: '您可能符合的帮扶政策', icon: '策' },
  { path: 'warm-list', label: '暖心清单', hint: '工会和各部门给予的全部帮助', icon: '暖' },
] as const;

const TITLES: Record<string, string> = {
  '': '越温暖 · 职工服务',
  apply: '自主申报',
  progress: '进度详情',
  records: '帮扶记录',
  policies: '政策清单',
  'warm-list': '暖心清单',
  stations: '附近驿站',
  login: '登录',
};

export function PhoneApp() {
  const location = useLocation();
  const [signedIn, setSignedIn] = useState(() => api.token() !== null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    const ended = (event: Event) => {
      setSignedIn(false);
      setNotice((event as CustomEvent<string>).detail);
    };
    window.addEventListener(PHONE_UNAUTHORIZED_EVENT, ended);
    return () => window.removeEventListener(PHONE_UNAUTHORIZED_EVENT, ended);
  }, []);

  const path = location.path;
  const section = path.split('/')[0] ?? '';
  const needsLogin = section !== 'stations' && section !== '';
  const detail = match('progress/:id', path);
  const page = () => {
    if (needsLogin && !signedIn) {
      return (
        <LoginPage
          notice={notice}
          onSignedIn={() => {
            setSignedIn(true);
            setNotice(null);
          }}
        />
      );
    }
    if (detail) {
      return <ProgressDetailPage id={detail.id!} />;
    }
    switch (section) {
      case '':
        return <HomePage signedIn={signedIn} />;
      case 'apply':
        return <ApplyPage />;
      case 'progress':
        return <ProgressPage />;
      case 'records':
        return <RecordsPage />;
      case 'policies':
        return <PoliciesPage />;
      case 'warm-list':
        return <WarmListPage />;
      case 'stations':
        return <StationsPage />;
      default:
        return <p class="empty">没有这个页面。</p>;
    }
  };

  return (
    <div class="phone">
      <header class="phone-bar">
        {path ? (
          <Link to="" class="phone-back" aria-label="返回首页">
            ‹ 首页
          </Link>
        ) : (
          <span class="phone-mark" aria-hidden="true">
            暖
          </span>
        )}
        <h1>{TITLES[section] ?? '越温暖'}</h1>
        {signedIn ? (
          <button
            type="button"
            class="phone-signout"
            onClick={() => {
              api.setToken(null);
              setSignedIn(false);
            }}
          >
            退出
          </button>
        ) : (
          <span />
        )}
      </header>
      <main class="phone-main">
        <ErrorBoundary resetKey={path}>{page()}</ErrorBoundary>
      </main>
      <nav class="phone-tabs" aria-label="功能">
        {[
          { path: '', label: '首页' },
          { path: 'progress', label: '进度' },
          { path: 'stations', label: '驿站' },
        ].map((tab) => (
          <Link key={tab.path} to={tab.path} class={section === tab.path ? 'phone-tab phone-tab-active' : 'phone-tab'}>
            {tab.label}
          </Link>
        ))}
      </nav>
    </div>
  );
}
