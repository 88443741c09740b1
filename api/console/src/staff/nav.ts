/**
 * The console's sections, in menu order, with the roles that may open them (absent: every staff role). A new
 * area is one entry here, its routes in routes.tsx and its calls in a data file of its own (data-<area>.ts).
 */
import { CASE_ROLES, PERCEPTION_ROLES, STATION_ROLES, TRAINING_READ_ROLES, TRAINING_REPORT_ROLES } from './roles.js';

export interface NavItem {
  path: string;
  label: string;
  roles?: readonly string[];
}

export const NAV: readonly NavItem[] = [
  { path: 'inbox', label: '待办', roles: CASE_ROLES },
  { path: 'cases', label: '工单', roles: CASE_ROLES },
  { path: 'board', label: '超时督办', roles: CASE_ROLES },
  { path: 'funds', label: '资金' },
  { path: 'funds/report', label: '资金报表' },
  { path: 'training/courses', label: '培训课程', roles: TRAINING_READ_ROLES },
  { path: 'training/trainees', label: '培训学员', roles: TRAINING_READ_ROLES },
  { path: 'training/report', label: '培训报表', roles: TRAINING_REPORT_ROLES },
  { path: 'stations', label: '驿站', roles: STATION_ROLES },
  { path: 'inspections', label: '巡检', roles: STATION_ROLES },
  { path: 'stations/ranking', label: '驿站排名', roles: STATION_ROLES },
  { path: 'perception/leads', label: '感知线索', roles: PERCEPTION_ROLES },
  { path: 'perception/rules', label: '感知规则', roles: PERCEPTION_ROLES },
  { path: 'perception/scans', label: '感知扫描', roles: PERCEPTION_ROLES },
  { path: 'perception/feeds', label: '数据导入', roles: ['admin'] },
  { path: 'notifications', label: '通知' },
];

export const mayOpen = (item: Pick<NavItem, 'roles'>, role: string): boolean =>
  !item.roles || item.roles.includes(role);

/** Where each role starts after signing in: the list of work waiting for it. */
const HOME_BY_ROLE: Readonly<Record<string, string>> = {
  admin: 'inbox',
  supervisor: 'inbox',
  caseworker: 'inbox',
  employment_officer: 'training/trainees',
  trainer: 'training/courses',
  inspector: 'inspections',
};

export const homeFor = (role: string): string => HOME_BY_ROLE[role] ?? 'notifications';

/** The menu entry a path belongs to: the longest entry path that is the path or a prefix of it. */
export function activeSection(path: string): string | null {
  const hits = NAV.filter((item) => path === item.path || path.startsWith(`${item.path}/`));
  const byCase = path.startsWith('cases/') ? 'cases' : null;
  return hits.sort((a, b) => b.path.length - a.path.length)[0]?.path ?? byCase;
}
