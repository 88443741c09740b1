import { useState } from 'preact/hooks';
import { useFormKey } from '../../../shared/form-key.js';
import { shanghaiTime } from '../../../shared/format.js';
import { Link } from '../../../shared/router.js';
import { Badge, ErrorBanner, Notice, useResource } from '../../../shared/ui.js';
import { DetailPending, EscalationBadge, PageHeader } from '../../components.js';
import type { Me } from '../../data.js';
import {
  INSPECTION_ACTION_LABELS,
  STATION_STAFF_ROLES,
  actOnInspection,
  fetchInspection,
  type InspectionAction,
  type InspectionDetail,
} from '../../data-stations.js';
import { useUnits } from '../../units.js';
import { inspectionTimeLeft } from './inspections.js';

/**
 * The action the caller may take now, as the workflow decides it: inspectors score the first inspection and the
 * re-inspection, station staff report the rectification. Whether the caller's unit is at or above the station's is
 * already settled: the API answers only inspections in the caller's subtree.
 */
export function actionFor(inspection: InspectionDetail, role: string): InspectionAction | null {
  if (inspection.status !== 'open') {
    return null;
  }
  if (inspection.step === 'inspect' && role === 'inspector') {
    return 'submit';
  }
  if (inspection.step === 'reinspect' && role === 'inspector') {
    return 'reinspect';
  }
  if (inspection.step === 'rectify' && STATION_STAFF_ROLES.includes(role as never)) {
    return 'rectify';
  }
  return null;
}

const total = (scores: Record<string, number> | null) =>
  scores ? Object.values(scores).reduce((sum, points) => sum + points, 0) : null;

/** What the inspection has come to, in words: the outcome, or the order and deadline it waits on. */
function Outcome({ inspection: i }: { inspection: InspectionDetail }) {
  const marks = `合格线 ${i.passMark} 分，优秀线 ${i.excellentMark} 分`;
  if (i.status === 'closed') {
    const text: Record<string, { tone: 'success' | 'warn' | 'info'; words: string }> = {
      excellent: { tone: 'success', words: `检查得分 ${i.firstScore} 分，评为优秀，予以表彰。` },
      passed: { tone: 'success', words: `检查得分 ${i.firstScore} 分，检查合格。` },
      rectified: {
        tone: 'success',
        words: `首次检查 ${i.firstScore} 分未合格，整改后复查得分 ${i.finalScore} 分，复查合格。`,
      },
      failed: {
        tone: 'warn',
        words: `复查得分 ${i.finalScore} 分，仍不合格：驿站已暂停服务，已报所属单位督办。`,
      },
    };
    const said = text[i.outcome ?? ''] ?? { tone: 'info' as const, words: i.outcomeLabel ?? '检查已结束。' };
    return (
      <div data-testid="inspection-outcome">
        <Notice tone={said.tone}>
          <strong>{i.outcomeLabel}</strong> {said.words}
        </Notice>
      </div>
    );
  }
  if (i.step === 'rectify') {
    return (
      <div data-testid="inspection-outcome">
        <Notice tone="warn">
          <strong>整改通知</strong> 检查得分 {i.firstScore} 分，低于合格线 {i.passMark} 分。驿站须在{' '}
          {shanghaiTime(i.rectification?.dueAt ?? i.dueAt)} 前完成整改并报告整改情况。
        </Notice>
      </div>
    );
  }
  if (i.step === 'reinspect') {
    return (
      <div data-testid="inspection-outcome">
        <Notice tone="info">
          首次检查 {i.firstScore} 分未合格，整改情况已于 {shanghaiTime(i.rectification?.reportedAt ?? null)} 报告，
          等待复查（须在 {shanghaiTime(i.dueAt)} 前）。{marks}。
        </Notice>
      </div>
    );
  }
  return (
    <div data-testid="inspection-outcome">
      <Notice tone="info">
        等待检查员按检查表评分（须在 {shanghaiTime(i.dueAt)} 前）。{marks}。
      </Notice>
    </div>
  );
}

/**
 * One inspection (GET /inspections/:id): the step and its deadline, the outcome so far, the checklist with the
 * scores given, the rectification report, only the action the caller may take now, and the timeline.
 */
export function InspectionPage({ id, me }: { id: string; me: Me }) {
  const units = useUnits();
  const inspection = useResource(() => fetchInspection(id), [id]);
  const [done, setDone] = useState<string | null>(null);

  if (!inspection.data) {
    return (
      <DetailPending back="inspections" backLabel="返回检查任务" resource={inspection} label="正在读取检查任务……" />
    );
  }
  const i = inspection.data;
  const action = actionFor(i, me.role);
  const left = inspectionTimeLeft(i);
  const firstTotal = total(i.scores);
  const secondTotal = total(i.reinspectionScores);

  return (
    <main class="page" data-inspection-id={i.id}>
      <p class="crumbs">
        <Link to="inspections">驿站检查</Link> / {i.stationName} {i.period}
      </p>
      <PageHeader title={`${i.stationName} · ${i.period} 检查`}>
        <Badge tone={i.status === 'open' ? 'info' : 'none'}>{i.status === 'open' ? i.stepLabel : '已结束'}</Badge>
        {i.kind === 'spot' && <Badge>临时抽查</Badge>}
      </PageHeader>
      {done && <Notice tone="success">已完成「{done}」。</Notice>}
      <Outcome inspection={i} />
      <div class="columns">
        <div class="column">
          <section class="card" aria-labelledby="inspection-facts">
            <h2 id="inspection-facts">办理与时限</h2>
            <dl class="facts">
              <dt>驿站</dt>
              <dd>
                <Link to={`stations/${i.stationId}`}>{i.stationName}</Link>
              </dd>
              <dt>所属单位</dt>
              <dd>{units.name(i.ownerUnitId)}</dd>
              <dt>当前环节</dt>
              <dd data-testid="inspection-step">{i.status === 'open' ? i.stepLabel : (i.outcomeLabel ?? '已结束')}</dd>
              <dt>办理方</dt>
              <dd>{i.heldBy === 'station' ? '驿站（所属单位工作人员）' : i.heldBy === 'inspector' ? '检查员' : '—'}</dd>
              <dt>本环节期限</dt>
              <dd>{shanghaiTime(i.dueAt)}</dd>
              <dt>剩余 / 超时</dt>
              <dd>
                <Badge tone={left.tone}>{left.text}</Badge> <EscalationBadge level={i.escalationLevel} />
              </dd>
              <dt>评分标准</dt>
              <dd>
                合格 {i.passMark} 分，优秀 {i.excellentMark} 分
              </dd>
              <dt>开始</dt>
              <dd>{shanghaiTime(i.openedAt)}</dd>
              {i.closedAt && (
                <>
                  <dt>结束</dt>
                  <dd>{shanghaiTime(i.closedAt)}</dd>
                </>
              )}
            </dl>
          </section>
          {action && (
            <ActionForm
              key={`${i.step}-${action}`}
              inspection={i}
              action={action}
              onDone={(answer) => {
                inspection.set(answer);
                setDone(INSPECTION_ACTION_LABELS[action]);
              }}
            />
          )}
          {i.rectification?.report && (
            <section class="card" aria-labelledby="rectification-report">
              <h2 id="rectification-report">整改情况</h2>
              <p data-testid="rectification-report">{i.rectification.report}</p>
              <p class="muted small">报告于 {shanghaiTime(i.rectification.reportedAt)}</p>
            </section>
          )}
        </div>
        <div class="column">
          <section class="card" aria-labelledby="inspection-scores">
            <h2 id="inspection-scores">检查表</h2>
            <table class="table">
              <thead>
                <tr>
                  <th>检查项</th>
                  <th class="num">满分</th>
                  <th class="num">首次</th>
                  <th class="num">复查</th>
                </tr>
              </thead>
              <tbody>
                {i.checklist.map((item) => (
                  <tr key={item.id}>
                    <td>{item.label}</td>
                    <td class="num">{item.maxScore}</td>
                    <td class="num">{i.scores?.[item.id] ?? '—'}</td>
                    <td class="num">{i.reinspectionScores?.[item.id] ?? '—'}</td>
                  </tr>
                ))}
                <tr>
                  <th scope="row">合计</th>
                  <td class="num">{i.checklist.reduce((sum, item) => sum + item.maxScore, 0)}</td>
                  <td class="num" data-testid="first-total">
                    {firstTotal ?? '—'}
                  </td>
                  <td class="num" data-testid="second-total">
                    {secondTotal ?? '—'}
                  </td>
                </tr>
              </tbody>
            </table>
          </section>
          <section class="card" aria-labelledby="inspection-timeline">
            <h2 id="inspection-timeline">办理记录</h2>
            <ol class="timeline" data-testid="timeline">
              {i.timeline.map((event) => (
                <li key={event.seq} class={`timeline-item timeline-${event.kind}`}>
                  <div class="timeline-when">{shanghaiTime(event.occurredAt)}</div>
                  <div class="timeline-what">{event.description}</div>
                  <div class="timeline-who muted small">
                    {event.actorUnitId ? units.name(event.actorUnitId) : '系统'}
                  </div>
                </li>
              ))}
            </ol>
          </section>
        </div>
      </div>
    </main>
  );
}

/** The scoring form (submit, reinspect) or the rectification report (rectify), with the API's words on refusal. */
function ActionForm({
  inspection,
  action,
  onDone,
}: {
  inspection: InspectionDetail;
  action: InspectionAction;
  onDone: (answer: InspectionDetail) => void;
}) {
  const [scores, setScores] = useState<Record<string, string>>({});
  const [remarks, setRemarks] = useState('');
  const [report, setReport] = useState('');
  const [state, setState] = useState<{ busy: boolean; error: unknown }>({ busy: false, error: null });
  const [key, afterFailure] = useFormKey();
  const refused = (error: unknown) => {
    afterFailure(error);
    setState({ busy: false, error });
  };
  const scoring = action !== 'rectify';
  const sum = inspection.checklist.reduce((acc, item) => acc + (Number(scores[item.id]) || 0), 0);
  const filled = inspection.checklist.every((item) => (scores[item.id] ?? '').trim() !== '');
  const verdict =
    sum >= inspection.excellentMark && action === 'submit'
      ? '优秀，将予以表彰'
      : sum >= inspection.passMark
        ? '合格'
        : action === 'submit'
          ? '不合格，将下达整改通知'
          : '仍不合格，驿站将暂停服务';

  const submit = (event: Event) => {
    event.preventDefault();
    const body = scoring
      ? {
          scores: Object.fromEntries(inspection.checklist.map((item) => [item.id, Number(scores[item.id] ?? '')])),
          ...(remarks.trim() ? { remarks: remarks.trim() } : {}),
        }
      : { report };
    setState({ busy: true, error: null });
    actOnInspection(inspection.id, action, body, key).then(onDone, refused);
  };

  return (
    <section class="card card-actions" aria-labelledby="inspection-action">
      <h2 id="inspection-action">{INSPECTION_ACTION_LABELS[action]}</h2>
      <form onSubmit={submit} aria-label={INSPECTION_ACTION_LABELS[action]}>
        {scoring ? (
          <>
            {inspection.checklist.map((item) => (
              <label key={item.id} class="field">
                <span>
                  {item.label}（0-{item.maxScore} 分）
                </span>
                <input
                  type="number"
                  inputMode="numeric"
                  min={0}
                  max={item.maxScore}
                  step={1}
                  required
                  name={item.id}
                  value={scores[item.id] ?? ''}
                  onInput={(e) => {
                    const value = e.currentTarget.value;
                    setScores((s) => ({ ...s, [item.id]: value }));
                  }}
                />
              </label>
            ))}
            <p class="items-total" data-testid="score-total">
              <span>合计 {sum} 分</span>
              {filled && <span class={sum < inspection.passMark ? 'text-late' : ''}>{verdict}</span>}
            </p>
            <label class="field">
              <span>检查意见（可不填）</span>
              <textarea value={remarks} onInput={(e) => setRemarks(e.currentTarget.value)} />
            </label>
          </>
        ) : (
          <label class="field">
            <span>整改情况</span>
            <textarea required value={report} onInput={(e) => setReport(e.currentTarget.value)} />
          </label>
        )}
        <ErrorBanner error={state.error} />
        <div class="form-buttons">
          <button type="submit" class="button button-primary" disabled={state.busy}>
            {state.busy ? '正在提交……' : INSPECTION_ACTION_LABELS[action]}
          </button>
        </div>
      </form>
    </section>
  );
}
