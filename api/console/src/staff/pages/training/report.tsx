import { useState } from 'preact/hooks';
import { HBarChart, PALETTE } from '../../../shared/charts.js';
import { count, shanghaiDate, shanghaiDayStartIso } from '../../../shared/format.js';
import { navigate, withQuery } from '../../../shared/router.js';
import { ErrorBanner, Loading, useResource } from '../../../shared/ui.js';
import { PageHeader, StatCard } from '../../components.js';
import { ReportConditions } from '../../filters.js';
import { fetchTrainingReport, type TrainingFigures } from '../../data-training.js';
import type { Me } from '../../data.js';
import { useUnits } from '../../units.js';

type Figure = Exclude<
  keyof TrainingFigures,
  'followedUpAtThreeMonths' | 'retainedAtThreeMonths' | 'retentionAtThreeMonthsPct'
>;

const FIGURES: { key: Figure; label: string }[] = [
  { key: 'trainees', label: '培训学员' },
  { key: 'completions', label: '结业' },
  { key: 'certificates', label: '取得证书' },
  { key: 'fairs', label: '招聘会' },
  { key: 'offers', label: '录用意向' },
  { key: 'placements', label: '上岗' },
];

const retention = (f: TrainingFigures) =>
  f.retentionAtThreeMonthsPct === null ? '—' : `${f.retentionAtThreeMonthsPct}%`;

const nextDay = (date: string) => shanghaiDate(Date.parse(`${date}T00:00:00+08:00`) + 86_400_000);

/**
 * The training figures (GET /reports/training) for a unit and a period in Shanghai dates: trainees, completions,
 * certificates, fairs, offers, placements and retention at three months, in all and per unit directly below.
 */
export function TrainingReportPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const units = useUnits();
  const today = shanghaiDate(Date.now());
  const from = query.get('from') || `${today.slice(0, 4)}-01-01`;
  const to = query.get('to') || today;
  const unitId = query.get('unitId') || '';
  const figure = (query.get('figure') as Figure | null) ?? 'trainees';
  const [draft, setDraft] = useState({ from, to, unitId });
  const report = useResource(
    () =>
      fetchTrainingReport({
        ...(unitId ? { unitId } : {}),
        from: shanghaiDayStartIso(from),
        to: shanghaiDayStartIso(nextDay(to)),
      }),
    [from, to, unitId],
  );
  const r = report.data;
  const go = (patch: Record<string, string>) =>
    navigate(withQuery('training/report', { from, to, unitId, figure, ...patch }), { replace: true });
  const figureLabel = FIGURES.find((f) => f.key === figure)?.label ?? '培训学员';

  return (
    <main class="page">
      <PageHeader title="培训就业报表" />
      <ReportConditions me={me} units={units} draft={draft} onDraft={setDraft} onApply={(next) => go({ ...next })} />
      <ErrorBanner error={report.error} onRetry={report.reload} />
      {!r ? (
        !report.error && <Loading label="正在统计……" />
      ) : (
        <>
          <p class="muted">
            {unitId ? units.name(unitId) : me.unitName}，{from} 至 {to}
            （北京时间）。按学员所在工会统计，招聘会按举办单位统计；三个月稳岗率为三个月回访中仍在岗的比例。
          </p>
          <div class="stats" data-testid="training-totals">
            {FIGURES.map((f) => (
              <StatCard key={f.key} label={f.label} value={count(r.totals[f.key])} />
            ))}
            <StatCard
              label={`三个月稳岗率（回访 ${r.totals.followedUpAtThreeMonths} 人）`}
              value={retention(r.totals)}
            />
          </div>
          <div class="columns">
            <section class="card column">
              <HBarChart
                title="从培训到就业（全辖区合计）"
                integers
                series={[{ name: '人数', color: PALETTE[0]! }]}
                rows={FIGURES.map((f) => ({ label: f.label, values: [r.totals[f.key]] }))}
              />
            </section>
            <section class="card column">
              <label class="field field-inline">
                <span>按单位比较</span>
                <select value={figure} onChange={(e) => go({ figure: e.currentTarget.value })}>
                  {FIGURES.map((f) => (
                    <option key={f.key} value={f.key}>
                      {f.label}
                    </option>
                  ))}
                </select>
              </label>
              <HBarChart
                title={`各单位${figureLabel}`}
                integers
                series={[{ name: figureLabel, color: PALETTE[2]! }]}
                rows={r.byUnit.map((u) => ({
                  label: u.unitName,
                  values: [u[figure]],
                  onSelect: () => go({ unitId: u.unitId }),
                }))}
              />
            </section>
          </div>
          <section class="card">
            <h2>各单位明细</h2>
            <table class="table table-cards" data-testid="training-by-unit">
              <thead>
                <tr>
                  <th>单位</th>
                  {FIGURES.map((f) => (
                    <th key={f.key} class="num">
                      {f.label}
                    </th>
                  ))}
                  <th class="num">三个月稳岗率</th>
                </tr>
              </thead>
              <tbody>
                {r.byUnit.map((u) => (
                  <tr key={u.unitId} data-unit-id={u.unitId}>
                    <td data-label="单位">{u.unitName}</td>
                    {FIGURES.map((f) => (
                      <td key={f.key} data-label={f.label} class="num">
                        {count(u[f.key])}
                      </td>
                    ))}
                    <td data-label="三个月稳岗率" class="num">
                      {retention(u)}
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
