import { shanghaiTime } from '../../../shared/format.js';
import { Link, navigate, withQuery } from '../../../shared/router.js';
import { Empty, ErrorBanner, Loading, MoreButton, usePaged, useResource } from '../../../shared/ui.js';
import { PageHeader, StatCard } from '../../components.js';
import { SelectFilter, filtersFrom } from '../../filters.js';
import {
  PIPELINE_STEPS,
  PIPELINE_STEP_LABELS,
  fetchCourses,
  fetchPipelines,
  type PipelineRow,
} from '../../data-training.js';
import type { Me } from '../../data.js';
import { useUnits, type Units } from '../../units.js';
import { PipelineTimeLeft, StalledBadge } from './common.js';

const FILTERS = ['step', 'courseId', 'stalled'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

/** Stalled trainees first (those escalated for a late step), then as the API ordered them. */
const stalledFirst = (rows: PipelineRow[]) => [...rows.filter((r) => r.stalled), ...rows.filter((r) => !r.stalled)];

/**
 * Trainees' pipelines (GET /pipelines) of the caller's subtree, filtered by step, course and "stalled"; stalled
 * ones come first and stand out, and each waiting step shows its time left or how late it is.
 */
export function TraineesPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const units = useUnits();
  const filters: Filters = filtersFrom(query, FILTERS);
  const key = JSON.stringify(filters);
  const list = usePaged((cursor) => fetchPipelines({ ...filters, cursor }), [key]);
  const courses = useResource(() => fetchCourses({}), []);
  const set = (name: keyof Filters, value: string) =>
    navigate(withQuery('training/trainees', { ...filters, [name]: value }), { replace: true });
  const rows = stalledFirst(list.items);
  const stalled = rows.filter((r) => r.stalled).length;
  const late = rows.filter((r) => r.overdue).length;

  return (
    <main class="page">
      <PageHeader title="培训学员">
        <button type="button" class="button button-quiet" onClick={list.reload} disabled={list.loading}>
          {list.loading ? '刷新中……' : '刷新'}
        </button>
      </PageHeader>
      <p class="muted">
        {me.unitName}
        及下级单位学员的培训就业流程。超过时限未推进的学员会督办给就业专员，标为「停滞已督办」，排在最前。
      </p>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="筛选">
        <SelectFilter
          label="步骤"
          value={filters.step}
          choices={PIPELINE_STEPS.map((step) => [step, PIPELINE_STEP_LABELS[step]] as const)}
          onChange={(v) => set('step', v)}
        />
        <SelectFilter
          label="课程"
          value={filters.courseId}
          choices={(courses.data?.items ?? []).map((c) => [c.id, c.title] as const)}
          onChange={(v) => set('courseId', v)}
        />
        <label class="field field-inline field-check">
          <input
            type="checkbox"
            checked={filters.stalled === 'true'}
            onChange={(e) => set('stalled', e.currentTarget.checked ? 'true' : '')}
          />
          <span>只看停滞的</span>
        </label>
      </form>
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {!list.ready ? (
        <Loading label="正在读取学员……" />
      ) : (
        <>
          <div class="stats">
            <StatCard label="学员" value={`${rows.length}${list.hasMore ? '+' : ''}`} />
            <StatCard label="停滞已督办" value={stalled} {...(stalled ? { tone: 'late' } : {})} />
            <StatCard label="已超时" value={late} {...(late ? { tone: 'soon' } : {})} />
          </div>
          <PipelineTable rows={rows} units={units} />
          <MoreButton list={list} />
        </>
      )}
    </main>
  );
}

function PipelineTable({ rows, units }: { rows: PipelineRow[]; units: Units }) {
  if (rows.length === 0) {
    return <Empty>没有符合条件的学员。</Empty>;
  }
  return (
    <table class="table table-cards" data-testid="pipelines">
      <thead>
        <tr>
          <th>学员</th>
          <th>课程</th>
          <th>当前步骤</th>
          <th>所在工会</th>
          <th>期限</th>
          <th>剩余 / 超时</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => (
          <tr
            key={p.id}
            class={`row-link${p.stalled ? ' row-stalled' : ''}`}
            onClick={() => navigate(`training/trainees/${p.id}`)}
            data-pipeline-id={p.id}
            data-stalled={p.stalled ? 'true' : undefined}
          >
            <td data-label="学员">
              <Link to={`training/trainees/${p.id}`} onClick={(e: MouseEvent) => e.stopPropagation()}>
                {p.workerName ?? `学员 ${p.workerId.slice(0, 8)}`}
              </Link>
            </td>
            <td data-label="课程">{p.courseTitle ?? '—'}</td>
            <td data-label="当前步骤">{p.status === 'open' ? p.stepLabel : p.statusLabel}</td>
            <td data-label="所在工会">{units.name(p.workerUnitId)}</td>
            <td data-label="期限">{p.status === 'open' ? shanghaiTime(p.dueAt) : '—'}</td>
            <td data-label="剩余 / 超时">
              <PipelineTimeLeft pipeline={p} /> <StalledBadge stalled={p.stalled} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
