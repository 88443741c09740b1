import { useState } from 'preact/hooks';
import { ColumnChart, HBarChart, PALETTE } from '../../shared/charts.js';
import { count, percentChange, shanghaiDate, shanghaiDayStartIso, yuan, yuanShort } from '../../shared/format.js';
import { CATEGORIES, CATEGORY_LABELS, fundLabel, type Category } from '../../shared/labels.js';
import { navigate, withQuery } from '../../shared/router.js';
import { Empty, ErrorBanner, Loading, useResource } from '../../shared/ui.js';
import { ReportConditions } from '../filters.js';
import { PageHeader, StatCard } from '../components.js';
import { fetchFundsReport, type Me } from '../data.js';
import { useUnits } from '../units.js';

const categoryName = (code: string) => CATEGORY_LABELS[code as Category] ?? code;
const CATEGORY_SERIES = CATEGORIES.map((category, i) => ({
  name: CATEGORY_LABELS[category],
  color: PALETTE[i % PALETTE.length]!,
}));

/** "12月"; the first column and every January carry the year: "2026年1月". */
function monthLabel(month: string, first: boolean): string {
  const [year, number] = [month.slice(0, 4), Number(month.slice(5, 7))];
  return first || number === 1 ? `${year}年${number}月` : `${number}月`;
}

/** The day after a Shanghai date, for an exclusive end. */
const nextDay = (date: string) => shanghaiDate(Date.parse(`${date}T00:00:00+08:00`) + 86_400_000);

/**
 * The funds report (GET /reports/funds) for a unit and a period in Shanghai dates: totals with the change on the
 * year before, money by category (and fund) and by month, stacked by category.
 */
export function FundsReportPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const units = useUnits();
  const today = shanghaiDate(Date.now());
  const from = query.get('from') || `${today.slice(0, 4)}-01-01`;
  const to = query.get('to') || today;
  const unitId = query.get('unitId') || '';
  const [draft, setDraft] = useState({ from, to, unitId });
  const report = useResource(
    () =>
      fetchFundsReport({
        ...(unitId ? { unitId } : {}),
        from: shanghaiDayStartIso(from),
        to: shanghaiDayStartIso(nextDay(to)),
      }),
    [from, to, unitId],
  );
  const r = report.data;
  const byCategory = CATEGORIES.map((category) => ({
    category,
    amountFen: (r?.byCategory ?? [])
      .filter((row) => row.category === category)
      .reduce((s, row) => s + row.amountFen, 0),
    personTimes: (r?.byCategory ?? [])
      .filter((row) => row.category === category)
      .reduce((s, row) => s + row.personTimes, 0),
  })).filter((row) => row.amountFen > 0);
  const months = (r?.byMonth ?? []).map((month, i) => ({
    label: monthLabel(month.month, i === 0),
    values: CATEGORIES.map((category) => month.byCategory.find((c) => c.category === category)?.amountFen ?? 0),
  }));
  const present = CATEGORIES.map((_, i) => months.some((m) => m.values[i]! > 0));

  return (
    <main class="page">
      <PageHeader title="帮扶资金报表" />
      <ReportConditions
        me={me}
        units={units}
        draft={draft}
        onDraft={setDraft}
        onApply={(next) =>
          navigate(withQuery('funds/report', { from: next.from, to: next.to, unitId: next.unitId }), { replace: true })
        }
      />
      <ErrorBanner error={report.error} onRetry={report.reload} />
      {!r ? (
        !report.error && <Loading label="正在统计……" />
      ) : (
        <>
          <p class="muted">
            {unitId ? units.name(unitId) : me.unitName}，{from} 至 {to}
            （北京时间），已冲正的发放不计入。同比为与上年同期相比。
          </p>
          <div class="stats">
            <StatCard
              label={`发放金额（元，同比 ${percentChange(r.changePercent.amount)}）`}
              value={yuan(r.totals.amountFen, '')}
            />
            <StatCard
              label={`帮扶户数（同比 ${percentChange(r.changePercent.households)}）`}
              value={count(r.totals.households)}
            />
            <StatCard
              label={`帮扶人次（同比 ${percentChange(r.changePercent.personTimes)}）`}
              value={count(r.totals.personTimes)}
            />
            <StatCard
              label={`建档困难户（同比 ${percentChange(r.changePercent.registeredHouseholds)}）`}
              value={count(r.totals.registeredHouseholds)}
            />
          </div>
          {r.totals.amountFen === 0 ? (
            <Empty>这一期间没有发放记录。</Empty>
          ) : (
            <div class="columns">
              <section class="card column">
                <HBarChart
                  title="按帮扶类别的发放金额"
                  series={[{ name: '金额', color: PALETTE[0]! }]}
                  format={yuanShort}
                  rows={byCategory.map((row) => ({ label: categoryName(row.category), values: [row.amountFen] }))}
                />
              </section>
              <section class="card column">
                <ColumnChart
                  title="按月的发放金额（按类别堆叠）"
                  series={CATEGORY_SERIES.filter((_, i) => present[i])}
                  format={yuanShort}
                  columns={months.map((m) => ({ label: m.label, values: m.values.filter((_, i) => present[i]) }))}
                />
              </section>
            </div>
          )}
          <section class="card">
            <h2>明细</h2>
            {r.byCategory.length > 0 && (
              <table class="table table-cards">
                <thead>
                  <tr>
                    <th>类别</th>
                    <th>资金</th>
                    <th class="num">金额</th>
                    <th class="num">户数</th>
                    <th class="num">人次</th>
                  </tr>
                </thead>
                <tbody>
                  {r.byCategory.map((row) => (
                    <tr key={`${row.category}-${row.fund}`}>
                      <td data-label="类别">{categoryName(row.category)}</td>
                      <td data-label="资金">{fundLabel(row.fund)}</td>
                      <td data-label="金额" class="num">
                        {yuan(row.amountFen)}
                      </td>
                      <td data-label="户数" class="num">
                        {count(row.households)}
                      </td>
                      <td data-label="人次" class="num">
                        {count(row.personTimes)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <p class="muted small">
              上年同期：{yuan(r.previousYear.amountFen)}，{count(r.previousYear.households)} 户，
              {count(r.previousYear.personTimes)} 人次。
            </p>
          </section>
        </>
      )}
    </main>
  );
}
