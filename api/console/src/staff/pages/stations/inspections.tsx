import { naturalDuration, shanghaiTime, type Tone } from '../../../shared/format.js';
import { Link, navigate, withQuery } from '../../../shared/router.js';
import { Badge, Empty, ErrorBanner, Loading, MoreButton, usePaged } from '../../../shared/ui.js';
import { EscalationBadge, PageHeader } from '../../components.js';
import type { Me } from '../../data.js';
import { fetchInspections, type InspectionSummary } from '../../data-stations.js';
import { useUnits, type Units } from '../../units.js';

/** The list's tabs: the three open steps, then the finished ones. */
const STATES = [
  { key: 'inspect', label: '待检查', query: { status: 'open', step: 'inspect' } },
  { key: 'rectify', label: '待整改', query: { status: 'open', step: 'rectify' } },
  { key: 'reinspect', label: '待复查', query: { status: 'open', step: 'reinspect' } },
  { key: 'closed', label: '已完成', query: { status: 'closed' } },
] as const;

/**
 * Time left to the step's deadline, or time late, on the wall clock.
 * Known limit: the API answers the deadline but not the working time left, so a step counted in working days
 * shows calendar days here; the deadline itself (shown beside it) is exact.
 */
export function inspectionTimeLeft(item: InspectionSummary, now = Date.now()): { text: string; tone: Tone } {
  if (item.status !== 'open') {
    return { text: '已结束', tone: 'none' };
  }
  if (!item.dueAt) {
    return { text: '期限计算中', tone: 'none' };
  }
  if (item.overdue) {
    return { text: `已超时 ${naturalDuration(item.lateBySeconds)}`, tone: 'late' };
  }
  const left = Math.floor((Date.parse(item.dueAt) - now) / 1000);
  return { text: `剩余 ${naturalDuration(left)}`, tone: left <= 86_400 ? 'soon' : 'ok' };
}

/** Late first, then the nearest deadline; finished ones keep the API's order (newest first). */
const lateFirst = (a: InspectionSummary, b: InspectionSummary) =>
  Number(b.overdue) - Number(a.overdue) || Date.parse(a.dueAt ?? '') - Date.parse(b.dueAt ?? '') || 0;

const outcomeTone = (outcome: string | null): Tone =>
  outcome === 'failed' ? 'late' : outcome === 'excellent' || outcome === 'passed' ? 'ok' : 'none';

/** A table of inspections; each row opens the inspection. On a narrow screen the rows become cards. */
export function InspectionTable({ items, units, empty }: { items: InspectionSummary[]; units: Units; empty: string }) {
  if (items.length === 0) {
    return <Empty>{empty}</Empty>;
  }
  return (
    <table class="table table-cards">
      <thead>
        <tr>
          <th>驿站</th>
          <th>期次</th>
          <th>当前环节</th>
          <th>所属单位</th>
          <th>期限</th>
          <th>剩余 / 超时</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => {
          const left = inspectionTimeLeft(item);
          return (
            <tr
              key={item.id}
              class="row-link"
              onClick={() => navigate(`inspections/${item.id}`)}
              data-inspection-id={item.id}
            >
              <td data-label="驿站">
                <Link to={`inspections/${item.id}`} onClick={(e: MouseEvent) => e.stopPropagation()}>
                  {item.stationName}
                </Link>
              </td>
              <td data-label="期次">
                {item.period}
                {item.kind === 'spot' && <span class="muted small">（抽查）</span>}
              </td>
              <td data-label="当前环节">
                {item.status === 'open' ? (
                  item.stepLabel
                ) : (
                  <Badge tone={outcomeTone(item.outcome)}>{item.outcomeLabel ?? '已结束'}</Badge>
                )}
                {item.finalScore !== null && <span class="muted small"> {item.finalScore} 分</span>}
              </td>
              <td data-label="所属单位">{units.name(item.ownerUnitId)}</td>
              <td data-label="期限">
                {item.status === 'open' ? shanghaiTime(item.dueAt) : shanghaiTime(item.closedAt)}
              </td>
              <td data-label="剩余 / 超时">
                <Badge tone={left.tone}>{left.text}</Badge> <EscalationBadge level={item.escalationLevel} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** 巡检: inspections of the caller's subtree by state (GET /inspections), the late ones first. */
export function InspectionsPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const units = useUnits();
  const state = STATES.find((s) => s.key === query.get('state')) ?? STATES[0];
  const list = usePaged((cursor) => fetchInspections({ ...state.query, cursor }), [state.key]);
  const items = state.key === 'closed' ? list.items : [...list.items].sort(lateFirst);

  return (
    <main class="page">
      <PageHeader title="驿站检查" />
      <p class="muted">
        {me.unitName}及下级单位驿站的检查任务。{state.key === 'closed' ? '按开始时间由近到远。' : '已超时的排在最前。'}
      </p>
      <div class="action-buttons filters" role="tablist" aria-label="检查状态">
        {STATES.map((s) => (
          <button
            key={s.key}
            type="button"
            role="tab"
            aria-selected={s.key === state.key}
            class={`button button-small ${s.key === state.key ? 'button-primary button-pressed' : ''}`}
            onClick={() => navigate(withQuery('inspections', { state: s.key === 'inspect' ? '' : s.key }))}
          >
            {s.label}
          </button>
        ))}
      </div>
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {!list.ready ? (
        <Loading label="正在读取检查任务……" />
      ) : (
        <>
          <InspectionTable items={items} units={units} empty={`没有${state.label}的检查任务。`} />
          <MoreButton list={list} />
        </>
      )}
    </main>
  );
}
