import { HBarChart, PALETTE } from '../../../shared/charts.js';
import { SHANGHAI_OFFSET_MS, count } from '../../../shared/format.js';
import { navigate, withQuery } from '../../../shared/router.js';
import { Empty, Pending, useResource } from '../../../shared/ui.js';
import { PageHeader, StatCard } from '../../components.js';
import type { Me } from '../../data.js';
import { STATION_TYPE_LABELS, fetchStationReport, type StationType } from '../../data-stations.js';

/** This quarter in Shanghai and the seven before it: `2026Q4`, `2026Q3`, ... */
export function recentQuarters(now = Date.now(), howMany = 8): string[] {
  const today = new Date(now + SHANGHAI_OFFSET_MS);
  let year = today.getUTCFullYear();
  let quarter = Math.floor(today.getUTCMonth() / 3) + 1;
  const quarters: string[] = [];
  for (let n = 0; n < howMany; n++) {
    quarters.push(`${year}Q${quarter}`);
    quarter -= 1;
    if (quarter === 0) {
      quarter = 4;
      year -= 1;
    }
  }
  return quarters;
}

const score = (value: number | null) => (value === null ? '—' : value.toFixed(1));

/**
 * 驿站排名: one quarter's ranking (GET /reports/stations?quarter=) of the caller's stations by their inspection
 * score, as a bar chart, and of the units directly below the caller's, as a table.
 */
export function StationRankingPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const quarters = recentQuarters();
  const quarter = query.get('quarter') ?? quarters[0]!;
  const report = useResource(() => fetchStationReport(quarter), [quarter]);
  const r = report.data;
  const scored = r?.stations.filter((s) => s.averageScore !== null) ?? [];

  return (
    <main class="page">
      <PageHeader title="驿站排名">
        <label class="field field-inline">
          <span>季度</span>
          <select
            value={quarter}
            onChange={(e) =>
              navigate(withQuery('stations/ranking', { quarter: e.currentTarget.value }), { replace: true })
            }
          >
            {(quarters.includes(quarter) ? quarters : [quarter, ...quarters]).map((q) => (
              <option key={q} value={q}>
                {q.replace('Q', ' 年第 ')} 季度
              </option>
            ))}
          </select>
        </label>
      </PageHeader>
      <p class="muted">
        {me.unitName}
        及下级单位的驿站，按本季度内结束的检查平均得分排名（复查过的以复查得分计）；得分相同的按到访人次、活动次数排。
      </p>
      {!r ? (
        <Pending resource={report} label="正在统计……" />
      ) : (
        <>
          <p class="muted small">
            统计期：{r.from} 至 {r.to}
          </p>
          <div class="stats">
            <StatCard label="驿站" value={count(r.totals.stations)} />
            <StatCard label="完成检查" value={count(r.totals.inspections)} />
            <StatCard label="表彰" value={count(r.totals.commendations)} tone="ok" />
            <StatCard label="复查不合格" value={count(r.totals.failures)} tone={r.totals.failures ? 'late' : ''} />
            <StatCard label="到访人次" value={count(r.totals.visits)} />
          </div>
          <section class="card">
            <HBarChart
              title={`驿站检查得分（${r.quarter}）`}
              series={[{ name: '平均得分', color: PALETTE[2]! }]}
              format={(v) => v.toFixed(1)}
              empty="本季度还没有结束的检查。"
              rows={scored.map((s) => ({
                label: s.name,
                values: [s.averageScore ?? 0],
                note: `${score(s.averageScore)} 分 · 第 ${s.rank} 名`,
                onSelect: () => navigate(`stations/${s.stationId}`),
              }))}
              valueWidth={110}
            />
            {r.stations.length > scored.length && (
              <p class="muted small">
                另有 {r.stations.length - scored.length} 个驿站本季度没有结束的检查，未列入图中。
              </p>
            )}
          </section>
          <section class="card" aria-labelledby="unit-ranking">
            <h2 id="unit-ranking">单位排名</h2>
            {r.units.length === 0 ? (
              <Empty>没有驿站。</Empty>
            ) : (
              <table class="table table-cards" data-testid="unit-ranking">
                <thead>
                  <tr>
                    <th class="num">名次</th>
                    <th>单位</th>
                    <th class="num">驿站</th>
                    <th class="num">检查</th>
                    <th class="num">平均得分</th>
                    <th class="num">表彰</th>
                    <th class="num">不合格</th>
                    <th class="num">活动</th>
                    <th class="num">到访人次</th>
                  </tr>
                </thead>
                <tbody>
                  {r.units.map((u) => (
                    <tr key={u.unitId}>
                      <td class="num" data-label="名次">
                        {u.rank}
                      </td>
                      <td data-label="单位">{u.name}</td>
                      <td class="num" data-label="驿站">
                        {count(u.stations)}
                      </td>
                      <td class="num" data-label="检查">
                        {count(u.inspections)}
                      </td>
                      <td class="num" data-label="平均得分">
                        {score(u.averageScore)}
                      </td>
                      <td class="num" data-label="表彰">
                        {count(u.commendations)}
                      </td>
                      <td class="num" data-label="不合格">
                        {count(u.failures)}
                      </td>
                      <td class="num" data-label="活动">
                        {count(u.activities)}
                      </td>
                      <td class="num" data-label="到访人次">
                        {count(u.visits)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section class="card" aria-labelledby="station-ranking">
            <h2 id="station-ranking">驿站名次</h2>
            {r.stations.length === 0 ? (
              <Empty>没有驿站。</Empty>
            ) : (
              <table class="table table-cards">
                <thead>
                  <tr>
                    <th class="num">名次</th>
                    <th>驿站</th>
                    <th>类型</th>
                    <th class="num">平均得分</th>
                    <th class="num">活动</th>
                    <th class="num">到访人次</th>
                  </tr>
                </thead>
                <tbody>
                  {r.stations.map((s) => (
                    <tr key={s.stationId} class="row-link" onClick={() => navigate(`stations/${s.stationId}`)}>
                      <td class="num" data-label="名次">
                        {s.rank}
                      </td>
                      <td data-label="驿站">{s.name}</td>
                      <td data-label="类型">{STATION_TYPE_LABELS[s.type as StationType] ?? s.type}</td>
                      <td class="num" data-label="平均得分">
                        {score(s.averageScore)}
                      </td>
                      <td class="num" data-label="活动">
                        {count(s.activities)}
                      </td>
                      <td class="num" data-label="到访人次">
                        {count(s.visits)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </main>
  );
}
