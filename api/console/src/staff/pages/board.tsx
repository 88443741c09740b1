import { HBarChart, ColumnChart } from '../../shared/charts.js';
import { count, naturalDuration, shanghaiTime } from '../../shared/format.js';
import { STEP_LABELS, STEP_SHORT_LABELS } from '../../shared/labels.js';
import { Link, navigate, withQuery } from '../../shared/router.js';
import { Empty, ErrorBanner, Loading, useResource } from '../../shared/ui.js';
import { EscalationBadge, PageHeader, StatCard } from '../components.js';
import { fetchCaseReport, fetchOverdue, type Me } from '../data.js';
import { useUnits, type Units } from '../units.js';

const SERIES = [
  { name: '已升级督办', color: '#b91c1c' },
  { name: '超时', color: '#f97316' },
  { name: '未超时在办', color: '#93c5fd' },
];

/** The units from the caller's own down to the scope, for the breadcrumb of a drill-down. */
function trail(units: Units, rootId: string, scopeId: string) {
  const scope = units.byId.get(scopeId);
  const root = units.byId.get(rootId);
  if (!scope || !root) {
    return [];
  }
  const ids = scope.path.split('/').filter(Boolean);
  return ids.slice(ids.indexOf(root.id)).map((id) => ({ id, name: units.name(id) }));
}

/**
 * The overdue board for the caller's subtree (GET /reports/cases and GET /supervision/overdue): per unit one
 * level down, how many open cases are late and escalated; per step, how many are open and late; and the late
 * cases themselves. A unit's bar drills down to that unit's board, a step's column to its cases, a row to the case.
 */
export function BoardPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const units = useUnits();
  const scopeId = query.get('unitId') || me.unitId;
  const report = useResource(() => fetchCaseReport(scopeId), [scopeId]);
  const overdue = useResource(() => fetchOverdue(scopeId), [scopeId]);
  const scopeName = scopeId === me.unitId ? me.unitName : units.name(scopeId);
  const reload = () => {
    report.reload();
    overdue.reload();
  };

  return (
    <main class="page">
      <PageHeader title="超时督办看板">
        <button type="button" class="button button-quiet" onClick={reload} disabled={report.loading || overdue.loading}>
          {report.loading || overdue.loading ? '刷新中……' : '刷新'}
        </button>
      </PageHeader>
      <p class="crumbs" aria-label="单位层级">
        {trail(units, me.unitId, scopeId).map((unit, i, all) =>
          i === all.length - 1 ? (
            <strong key={unit.id}>{unit.name}</strong>
          ) : (
            <span key={unit.id}>
              <Link to={withQuery('board', { unitId: unit.id === me.unitId ? null : unit.id })}>{unit.name}</Link>{' '}
              ›{' '}
            </span>
          ),
        )}
      </p>
      <ErrorBanner error={report.error} onRetry={report.reload} />
      {!report.data ? (
        !report.error && <Loading label="正在统计工单……" />
      ) : (
        <>
          <div class="stats">
            <StatCard label="在办工单" value={count(report.data.totals.open)} />
            <StatCard
              label="已超时"
              value={count(report.data.totals.overdue)}
              {...(report.data.totals.overdue ? { tone: 'late' } : {})}
            />
            <StatCard
              label="已升级督办"
              value={count(report.data.totals.escalated)}
              {...(report.data.totals.escalated ? { tone: 'late' } : {})}
            />
            <StatCard label="暂停计时" value={count(report.data.totals.suspended)} />
          </div>
          <div class="columns">
            <section class="card column">
              <HBarChart
                title={`${scopeName}：各单位超时与督办（点击单位查看下级）`}
                series={SERIES}
                rows={report.data.units
                  .filter((u) => !u.self || u.open > 0)
                  .map((u) => ({
                    label: u.self ? `${units.name(u.unitId)}（本级）` : units.name(u.unitId),
                    values: [u.escalated, u.overdue - u.escalated, u.open - u.overdue],
                    ...(u.self || units.children(u.unitId).length === 0
                      ? u.open > 0
                        ? { onSelect: () => navigate(withQuery('cases', { unitId: u.unitId, status: 'open' })) }
                        : {}
                      : { onSelect: () => navigate(withQuery('board', { unitId: u.unitId })) }),
                  }))}
                empty="本辖区没有下级单位。"
              />
            </section>
            <section class="card column">
              <ColumnChart
                title="按办理步骤的在办工单（点击查看工单）"
                series={[
                  { name: '超时', color: '#f97316' },
                  { name: '未超时', color: '#93c5fd' },
                ]}
                integers
                columns={report.data.byStep.map((s) => ({
                  label: STEP_SHORT_LABELS[s.step] ?? STEP_LABELS[s.step],
                  values: [s.overdue, s.open - s.overdue],
                  onSelect: () => navigate(withQuery('cases', { unitId: scopeId, step: s.step, status: 'open' })),
                }))}
              />
            </section>
          </div>
        </>
      )}
      <section class="card" aria-labelledby="late-title">
        <div class="card-header">
          <h2 id="late-title">超时工单</h2>
          <Link to={withQuery('cases', { unitId: scopeId === me.unitId ? null : scopeId, overdue: true })}>
            在工单查询中查看
          </Link>
        </div>
        <ErrorBanner error={overdue.error} onRetry={overdue.reload} />
        {!overdue.data ? (
          !overdue.error && <Loading />
        ) : overdue.data.items.length === 0 ? (
          <Empty>{scopeName}目前没有超时的工单。</Empty>
        ) : (
          <table class="table table-cards" data-testid="overdue-table">
            <thead>
              <tr>
                <th>编号</th>
                <th>步骤</th>
                <th>办理单位</th>
                <th>期限</th>
                <th>已超时</th>
                <th>督办</th>
              </tr>
            </thead>
            <tbody>
              {overdue.data.items.map((row) => (
                <tr
                  key={row.caseId}
                  class="row-link"
                  onClick={() => navigate(`cases/${row.caseId}`)}
                  data-case-number={row.number}
                >
                  <td data-label="编号">
                    <Link to={`cases/${row.caseId}`} onClick={(e: MouseEvent) => e.stopPropagation()}>
                      #{row.number}
                    </Link>
                  </td>
                  <td data-label="步骤">{STEP_LABELS[row.step]}</td>
                  <td data-label="办理单位">{units.name(row.holderUnitId)}</td>
                  <td data-label="期限">{shanghaiTime(row.dueAt)}</td>
                  <td data-label="已超时" class="text-late">
                    {naturalDuration(row.lateBySeconds)}
                  </td>
                  <td data-label="督办">
                    <EscalationBadge level={row.escalationLevel} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {overdue.data?.nextCursor && (
          <p class="muted small">只显示最早超时的 {overdue.data.items.length} 件，请下钻到单位查看其余。</p>
        )}
      </section>
    </main>
  );
}
