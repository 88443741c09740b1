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
import { CoursePage } from './pages/training/course.js';
import { CoursesPage } from './pages/training/courses.js';
import { TrainingReportPage } from './pages/training/report.js';
import { TraineePage } from './pages/training/trainee.js';
import { TraineesPage } from './pages/training/trainees.js';
import { InspectionPage } from './pages/stations/inspection.js';
import { InspectionsPage } from './pages/stations/inspections.js';
import { StationRankingPage } from './pages/stations/ranking.js';
import { StationPage } from './pages/stations/station.js';
import { StationsPage } from './pages/stations/stations.js';
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
  const courseMatch = match('training/courses/:id', path);
  if (courseMatch) {
    return <CoursePage id={courseMatch.id!} me={me} />;
  }
  const traineeMatch = match('training/trainees/:id', path);
  if (traineeMatch) {
    return <TraineePage id={traineeMatch.id!} me={me} />;
  }
  const stationMatch = path === 'stations/ranking' ? null : match('stations/:id', path);
  if (stationMatch) {
    return <StationPage id={stationMatch.id!} me={me} />;
  }
  const inspectionMatch = match('inspections/:id', path);
  if (inspectionMatch) {
    return <InspectionPage id={inspectionMatch.id!} me={me} />;
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
    case 'training/courses':
      return <CoursesPage me={me} query={query} />;
    case 'training/trainees':
      return <TraineesPage me={me} query={query} />;
    case 'training/report':
      return <TrainingReportPage me={me} query={query} />;
    case 'stations':
      return <StationsPage me={me} query={query} />;
    case 'stations/ranking':
      return <StationRankingPage me={me} query={query} />;
    case 'inspections':
      return <InspectionsPage me={me} query={query} />;
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
