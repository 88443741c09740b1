import { CATEGORIES, CATEGORY_LABELS, STATUS_LABELS, STEP_LABELS, TIMED_STEPS } from '../../shared/labels.js';
import { navigate, withQuery } from '../../shared/router.js';
import { ErrorBanner, Loading, MoreButton, usePaged } from '../../shared/ui.js';
import { CaseTable, PageHeader } from '../components.js';
import { fetchCases, type Me } from '../data.js';
import { useUnits } from '../units.js';

const FILTERS = ['status', 'step', 'category', 'unitId', 'overdue'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

/** GET /cases for the caller's subtree, filtered by the query string (the board's drill-down links land here). */
export function CasesPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const units = useUnits();
  const filters: Filters = Object.fromEntries(FILTERS.flatMap((f) => (query.get(f) ? [[f, query.get(f)!]] : [])));
  const key = JSON.stringify(filters);
  const list = usePaged((cursor) => fetchCases({ ...filters, cursor }), [key]);
  const set = (name: keyof Filters, value: string) =>
    navigate(withQuery('cases', { ...filters, [name]: value }), { replace: true });
  const scopeName = filters.unitId ? units.name(filters.unitId) : me.unitName;

  return (
    <main class="page">
      <PageHeader title="工单查询" />
      <p class="muted">{scopeName}及下级单位的工单，按开单时间由近到远。</p>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="筛选">
        <label class="field field-inline">
          <span>状态</span>
          <select value={filters.status ?? ''} onChange={(e) => set('status', e.currentTarget.value)}>
            <option value="">全部</option>
            {Object.entries(STATUS_LABELS).map(([code, text]) => (
              <option key={code} value={code}>
                {text}
              </option>
            ))}
          </select>
        </label>
        <label class="field field-inline">
          <span>步骤</span>
          <select value={filters.step ?? ''} onChange={(e) => set('step', e.currentTarget.value)}>
            <option value="">全部</option>
            {TIMED_STEPS.map((step) => (
              <option key={step} value={step}>
                {STEP_LABELS[step]}
              </option>
            ))}
          </select>
        </label>
        <label class="field field-inline">
          <span>类别</span>
          <select value={filters.category ?? ''} onChange={(e) => set('category', e.currentTarget.value)}>
            <option value="">全部</option>
            {CATEGORIES.map((category) => (
              <option key={category} value={category}>
                {CATEGORY_LABELS[category]}
              </option>
            ))}
          </select>
        </label>
        <label class="field field-inline">
          <span>单位</span>
          <select value={filters.unitId ?? ''} onChange={(e) => set('unitId', e.currentTarget.value)}>
            <option value="">{me.unitName}（全部）</option>
            {units.list
              .filter((u) => u.id !== me.unitId)
              .map((u) => (
                <option key={u.id} value={u.id}>
                  {units.indented(u, me.unitId)}
                </option>
              ))}
          </select>
        </label>
        <label class="field field-inline field-check">
          <input
            type="checkbox"
            checked={filters.overdue === 'true'}
            onChange={(e) => set('overdue', e.currentTarget.checked ? 'true' : '')}
          />
          <span>只看已超时</span>
        </label>
      </form>
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {!list.ready ? (
        <Loading label="正在查询工单……" />
      ) : (
        <>
          <CaseTable cases={list.items} units={units} empty="没有符合条件的工单。" />
          <MoreButton list={list} />
        </>
      )}
    </main>
  );
}
