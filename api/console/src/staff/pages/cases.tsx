import { CATEGORIES, CATEGORY_LABELS, STATUS_LABELS, STEP_LABELS, TIMED_STEPS } from '../../shared/labels.js';
import { navigate, withQuery } from '../../shared/router.js';
import { ErrorBanner, Loading, MoreButton, usePaged } from '../../shared/ui.js';
import { CaseTable, PageHeader } from '../components.js';
import { SelectFilter, UnitFilter, filtersFrom } from '../filters.js';
import { fetchCases, type Me } from '../data.js';
import { useUnits } from '../units.js';

const FILTERS = ['status', 'step', 'category', 'unitId', 'overdue'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

/** GET /cases for the caller's subtree, filtered by the query string (the board's drill-down links land here). */
export function CasesPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const units = useUnits();
  const filters: Filters = filtersFrom(query, FILTERS);
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
        <SelectFilter
          label="状态"
          value={filters.status}
          choices={Object.entries(STATUS_LABELS)}
          onChange={(v) => set('status', v)}
        />
        <SelectFilter
          label="步骤"
          value={filters.step}
          choices={TIMED_STEPS.map((step) => [step, STEP_LABELS[step]] as const)}
          onChange={(v) => set('step', v)}
        />
        <SelectFilter
          label="类别"
          value={filters.category}
          choices={CATEGORIES.map((category) => [category, CATEGORY_LABELS[category]] as const)}
          onChange={(v) => set('category', v)}
        />
        <UnitFilter me={me} units={units} value={filters.unitId} onChange={(v) => set('unitId', v)} />
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
