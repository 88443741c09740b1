/**
 * The console's sections, in menu order, with the roles that may open them (absent: every staff role). A new
 * area (phase 2: perception lead review `leads`, trainee and course pipelines `pipelines`, stations on a map
 * `stations`, inspections and rectifications `inspections`) is one entry here, one route in routes.tsx and its
 * calls in data.ts.
 */
export interface NavItem {
  path: string;
  label: string;
  roles?: readonly string[];
}

export const CASE_ROLES = ['admin', 'supervisor', 'caseworker'] as const;
/** Lead review, rules and scans are read by supervisors and admins; feeds are uploaded and scans started by admins. */
export const PERCEPTION_ROLES = ['admin', 'supervisor'] as const;

export const NAV: readonly NavItem[] = [
  { path: 'inbox', label: '待办', roles: CASE_ROLES },
  { path: 'cases', label: '工单', roles: CASE_ROLES },
  { path: 'board', label: '超时督办', roles: CASE_ROLES },
  { path: 'funds', label: '资金' },
  { path: 'funds/report', label: '资金报表' },
  { path: 'notifications', label: '通知' },
  { path: 'perception/leads', label: '感知线索', roles: PERCEPTION_ROLES },
  { path: 'perception/rules', label: '感知规则', roles: PERCEPTION_ROLES },
  { path: 'perception/scans', label: '感知扫描', roles: PERCEPTION_ROLES },
  { path: 'perception/feeds', label: '数据导入', roles: ['admin'] },
];

export const mayOpen = (item: Pick<NavItem, 'roles'>, role: string): boolean =>
  !item.roles || item.roles.includes(role);

export const homeFor = (role: string): string => (CASE_ROLES.includes(role as never) ? 'inbox' : 'notifications');

/** The menu entry a path belongs to: the longest entry path that is the path or a prefix of it. */
export function activeSection(path: string): string | null {
  const hits = NAV.filter((item) => path === item.path || path.startsWith(`${item.path}/`));
  const byCase = path.startsWith('cases/') ? 'cases' : null;
  return hits.sort((a, b) => b.path.length - a.path.length)[0]?.path ?? byCase;
}
