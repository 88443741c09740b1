/**
 * The console's sections, in menu order, grouped by area, with the roles that may open them (absent: every staff
 * role). A new area is entries here, its routes in routes.tsx and its calls in a data file of its own
 * (data-<area>.ts).
 */
import { CASE_ROLES, PERCEPTION_ROLES, STATION_ROLES, TRAINING_READ_ROLES, TRAINING_REPORT_ROLES } from './roles.js';

export interface NavItem {
  path: string;
  /** Short: the menu shows it under its area's heading, which also names the group to screen readers. */
  label: string;
  /** The area heading the entry sits under in the menu; absent for entries that stand alone. */
  group?: string;
  roles?: readonly string[];
}

export interface NavGroup {
  label: string | null;
  items: NavItem[];
}

export const NAV: readonly NavItem[] = [
  { path: 'inbox', group: '帮扶', label: '待办', roles: CASE_ROLES },
  { path: 'cases', group: '帮扶', label: '工单', roles: CASE_ROLES },
  { path: 'board', group: '帮扶', label: '超时督办', roles: CASE_ROLES },
  { path: 'funds', group: '资金', label: '预算' },
  { path: 'funds/report', group: '资金', label: '报表' },
  { path: 'training/courses', group: '培训', label: '课程', roles: TRAINING_READ_ROLES },
  { path: 'training/trainees', group: '培训', label: '学员', roles: TRAINING_READ_ROLES },
  { path: 'training/report', group: '培训', label: '报表', roles: TRAINING_REPORT_ROLES },
  { path: 'stations', group: '驿站', label: '站点', roles: STATION_ROLES },
  { path: 'inspections', group: '驿站', label: '巡检', roles: STATION_ROLES },
  { path: 'stations/ranking', group: '驿站', label: '排名', roles: STATION_ROLES },
  { path: 'perception/leads', group: '感知', label: '线索', roles: PERCEPTION_ROLES },
  { path: 'perception/rules', group: '感知', label: '规则', roles: PERCEPTION_ROLES },
  { path: 'perception/scans', group: '感知', label: '扫描', roles: PERCEPTION_ROLES },
  { path: 'perception/feeds', group: '感知', label: '数据导入', roles: ['admin'] },
  { path: 'notifications', label: '通知' },
];

export const mayOpen = (item: Pick<NavItem, 'roles'>, role: string): boolean =>
  !item.roles || item.roles.includes(role);

/** The menu a role sees: the entries it may open, under their area headings, in menu order; no empty area. */
export function menuFor(role: string): NavGroup[] {
  const groups: NavGroup[] = [];
  for (const item of NAV.filter((entry) => mayOpen(entry, role))) {
    const label = item.group ?? null;
    const last = groups.at(-1);
    if (last && last.label === label) {
      last.items.push(item);
    } else {
      groups.push({ label, items: [item] });
    }
  }
  return groups;
}

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
