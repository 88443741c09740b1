import { useEffect } from 'preact/hooks';
import { match, navigate, type Location } from '../shared/router.js';
import type { Me } from './data.js';
import { NAV, homeFor, mayOpen } from './nav.js';
import { BoardPage } from './pages/board.js';
import { CasePage } from './pages/case.js';
import { CasesPage } from './pages/cases.js';
import { FundsReportPage } from './pages/funds-report.js';
import { FundsPage } from './pages/funds.js';
import { InboxPage } from './pages/inbox.js';
import { NotFoundPage } from './pages/not-found.js';
import { NotificationsPage } from './pages/notifications.js';
import { FeedsPage } from './pages/perception/feeds.js';
import { LeadPage } from './pages/perception/lead.js';
import { LeadsPage } from './pages/perception/leads.js';
import { RulesPage } from './pages/perception/rules.js';
import { ScansPage } from './pages/perception/scans.js';

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** The page for the current path; a section the caller's role may not open says so instead of failing later. */
export function Routes({ me, location }: { me: Me; location: Location }) {
  const { path, query } = location;
  if (path === '' || path === 'login') {
    return <Redirect to={homeFor(me.role)} />;
  }
  const section = NAV.find((item) => path === item.path || path.startsWith(`${item.path}/`));
  if (section && !mayOpen(section, me.role)) {
    return <NotFoundPage message="您的角色不能使用这一栏目。" />;
  }
  const caseMatch = match('cases/:id', path);
  if (caseMatch) {
    return <CasePage id={caseMatch.id!} me={me} />;
  }
  const leadMatch = match('perception/leads/:id', path);
  if (leadMatch) {
    return <LeadPage id={leadMatch.id!} me={me} />;
  }
  switch (path) {
    case 'inbox':
      return <InboxPage me={me} />;
    case 'cases':
      return <CasesPage me={me} query={query} />;
    case 'board':
      return <BoardPage me={me} query={query} />;
    case 'funds':
      return <FundsPage me={me} query={query} />;
    case 'funds/report':
      return <FundsReportPage me={me} query={query} />;
    case 'notifications':
      return <NotificationsPage />;
    case 'perception/leads':
      return <LeadsPage me={me} query={query} />;
    case 'perception/rules':
      return <RulesPage />;
    case 'perception/scans':
      return <ScansPage me={me} query={query} />;
    case 'perception/feeds':
      return <FeedsPage query={query} />;
    default:
      return <NotFoundPage />;
  }
}
