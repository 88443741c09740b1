import { HBarChart } from '../../shared/charts.js';
import { shanghaiDate, yuan, yuanShort } from '../../shared/format.js';
import { fundLabel } from '../../shared/labels.js';
import { navigate, withQuery } from '../../shared/router.js';
import { Empty, ErrorBanner, Loading, useResource } from '../../shared/ui.js';
import { PageHeader, StatCard } from '../components.js';
import { fetchBudgets, type Budget, type Me } from '../data.js';
import { useUnits } from '../units.js';

const SERIES = [
  { name: '已发放', color: '#16a34a' },
  { name: '已预留（审批通过待发放）', color: '#f59e0b' },
  { name: '已下拨下级', color: '#93c5fd' },
  { name: '可用', color: '#e5e7eb' },
];

/** The caller's subtree's budgets for a year (GET /budgets): allocated, passed down, reserved, paid, available. */
export function FundsPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const units = useUnits();
  const thisYear = Number(shanghaiDate(Date.now()).slice(0, 4));
  const year = Number(query.get('year')) || thisYear;
  const budgets = useResource(() => fetchBudgets(year), [year]);
  const own = (budgets.data ?? []).filter((b) => b.unitId === me.unitId);
  const sum = (pick: (b: Budget) => number) => own.reduce((total, b) => total + pick(b), 0);

  return (
    <main class="page">
      <PageHeader title="送温暖资金">
        <label class="field field-inline">
          <span>年度</span>
          <select
            value={String(year)}
            onChange={(e) => navigate(withQuery('funds', { year: e.currentTarget.value }), { replace: true })}
          >
            {[thisYear + 1, thisYear, thisYear - 1, thisYear - 2].map((y) => (
              <option key={y} value={y}>
                {y} 年
              </option>
            ))}
          </select>
        </label>
      </PageHeader>
      <p class="muted">
        本单位及下级单位的年度预算。可用 = 拨入 − 下拨下级 − 已预留 − 已发放；审批通过即预留，发放后计入已发放。
      </p>
      <ErrorBanner error={budgets.error} onRetry={budgets.reload} />
      {!budgets.data ? (
        !budgets.error && <Loading label="正在读取预算……" />
      ) : budgets.data.length === 0 ? (
        <Empty>{year} 年本辖区还没有预算。</Empty>
      ) : (
        <>
          <h2>{me.unitName}（本级）</h2>
          <div class="stats">
            <StatCard
              label="拨入（元）"
              value={yuan(
                sum((b) => b.allocatedFen),
                '',
              )}
            />
            <StatCard
              label="下拨下级（元）"
              value={yuan(
                sum((b) => b.allocatedOutFen),
                '',
              )}
            />
            <StatCard
              label="已预留（元）"
              value={yuan(
                sum((b) => b.reservedFen),
                '',
              )}
            />
            <StatCard
              label="已发放（元）"
              value={yuan(
                sum((b) => b.paidFen),
                '',
              )}
            />
            <StatCard
              label="可用（元）"
              value={yuan(
                sum((b) => b.availableFen),
                '',
              )}
              tone="ok"
            />
          </div>
          <section class="card">
            <HBarChart
              title="各单位预算使用情况（各自拨入为 100%）"
              series={SERIES}
              valueWidth={110}
              rows={budgets.data.map((b) => {
                const share = (fen: number) => (b.allocatedFen > 0 ? (fen / b.allocatedFen) * 100 : 0);
                return {
                  label: `${units.name(b.unitId)}${b.fund === 'warmth' ? '' : `·${fundLabel(b.fund)}`}`,
                  values: [
                    share(b.paidFen),
                    share(b.reservedFen),
                    share(b.allocatedOutFen),
                    share(Math.max(0, b.availableFen)),
                  ],
                  note: `可用 ${yuanShort(b.availableFen)}`,
                };
              })}
              format={(value) => `${Math.round(value)}%`}
            />
          </section>
          <section class="card">
            <table class="table table-cards" data-testid="budgets-table">
              <thead>
                <tr>
                  <th>单位</th>
                  <th>资金</th>
                  <th class="num">拨入</th>
                  <th class="num">下拨下级</th>
                  <th class="num">已预留</th>
                  <th class="num">已发放</th>
                  <th class="num">可用</th>
                </tr>
              </thead>
              <tbody>
                {budgets.data.map((b) => (
                  <tr key={b.id}>
                    <td data-label="单位">
                      {units.byId.get(b.unitId)
                        ? units.indented(units.byId.get(b.unitId)!, me.unitId)
                        : units.name(b.unitId)}
                    </td>
                    <td data-label="资金">{fundLabel(b.fund)}</td>
                    <td data-label="拨入" class="num">
                      {yuan(b.allocatedFen)}
                    </td>
                    <td data-label="下拨下级" class="num">
                      {yuan(b.allocatedOutFen)}
                    </td>
                    <td data-label="已预留" class="num">
                      {yuan(b.reservedFen)}
                    </td>
                    <td data-label="已发放" class="num">
                      {yuan(b.paidFen)}
                    </td>
                    <td data-label="可用" class="num strong">
                      {yuan(b.availableFen)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </main>
  );
}
