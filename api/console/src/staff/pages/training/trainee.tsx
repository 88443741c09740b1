import { useState } from 'preact/hooks';
import { ApiError } from '../../../shared/api.js';
import { useSubmission } from '../../../shared/form-key.js';
import { shanghaiTime, yuan } from '../../../shared/format.js';
import { Link } from '../../../shared/router.js';
import { Badge, Empty, ErrorBanner, Notice, Pending, useResource } from '../../../shared/ui.js';
import { DetailPending, PageHeader } from '../../components.js';
import {
  MATCH_ROLES,
  PIPELINE_ACTION_LABELS,
  WORK_HOURS_LABELS,
  actOnPipeline,
  availablePipelineActions,
  fetchMatches,
  fetchPipeline,
  stepLabel,
  type Match,
  type PipelineAction,
  type PipelineDetail,
} from '../../data-training.js';
import type { Me } from '../../data.js';
import { useUnits } from '../../units.js';
import { PipelineTimeLeft, StalledBadge } from './common.js';

const OFFER_LABELS: Record<string, string> = {
  pending: '待答复',
  accepted: '已接受',
  declined: '已拒绝',
  lapsed: '逾期失效',
};

const HINTS: Record<PipelineAction, string> = {
  confirm: '学员确认参加培训，名额转为已确认。',
  decline: '学员放弃报名，名额转给候补名单上的下一位。',
  'record-offer': '企业愿意录用该学员：选择岗位，学员须在时限内答复。',
  'accept-offer': '学员接受录用并已上岗，一个月和三个月后回访。',
  'decline-offer': '学员拒绝录用，回到求职对接。',
  'follow-up': '登记回访结果；已离岗的学员重新对接岗位。',
  withdraw: '学员退出培训就业流程，流程结束。',
};

/**
 * One trainee's pipeline (GET /pipelines/:id): the step and its deadline, offers, exam and certificate, the openings
 * ranked for the trainee with the reasons (GET /matches), the actions the caller may take now, and the timeline.
 */
export function TraineePage({ id, me }: { id: string; me: Me }) {
  const units = useUnits();
  const pipeline = useResource(() => fetchPipeline(id), [id]);
  const [done, setDone] = useState<string | null>(null);
  const [offerFor, setOfferFor] = useState<string | null>(null);
  const mayMatch = MATCH_ROLES.includes(me.role as never);
  const workerId = pipeline.data?.workerId;
  const matches = useResource(
    () => (workerId && mayMatch ? fetchMatches(workerId) : Promise.resolve(null)),
    [workerId, mayMatch, pipeline.data?.timeline.length],
  );

  if (!pipeline.data) {
    return (
      <DetailPending back="training/trainees" backLabel="返回学员列表" resource={pipeline} label="正在读取学员流程……" />
    );
  }
  const p = pipeline.data;
  const name = p.worker?.name ?? '学员';
  const step = p.status === 'open' ? p.stepLabel : p.statusLabel;
  const actions = availablePipelineActions(p, me.role);

  return (
    <main class="page" data-pipeline-id={p.id}>
      <p class="crumbs">
        <Link to="training/trainees">培训学员</Link> / {name}
      </p>
      <PageHeader title={`${name} · ${p.courseTitle}`}>
        <Badge tone={p.status === 'open' ? 'info' : 'none'}>{step}</Badge>
        <StalledBadge stalled={p.stalled} />
      </PageHeader>
      {done && (
        <Notice tone="success">
          已完成「{done}」。学员现处于「{step}」。
        </Notice>
      )}
      <div class="columns">
        <div class="column">
          <section class="card" aria-labelledby="pipeline-facts">
            <h2 id="pipeline-facts">步骤与时限</h2>
            <dl class="facts">
              <dt>当前步骤</dt>
              <dd data-testid="pipeline-step">{step}</dd>
              <dt>课程</dt>
              <dd>
                <Link to={`training/courses/${p.courseId}`}>{p.courseTitle}</Link>
              </dd>
              <dt>所在工会</dt>
              <dd>{units.name(p.workerUnitId)}</dd>
              <dt>本步开始</dt>
              <dd>{shanghaiTime(p.stepStartedAt)}</dd>
              {p.opensAt && (
                <>
                  <dt>可办理自</dt>
                  <dd>{shanghaiTime(p.opensAt)}</dd>
                </>
              )}
              <dt>本步期限</dt>
              <dd>{p.status === 'open' ? shanghaiTime(p.dueAt) : '—'}</dd>
              <dt>剩余 / 超时</dt>
              <dd data-testid="pipeline-time-left">
                <PipelineTimeLeft pipeline={p} /> <StalledBadge stalled={p.stalled} />
              </dd>
              {p.escalatedAt && (
                <>
                  <dt>督办</dt>
                  <dd class="text-late">
                    {shanghaiTime(p.escalatedAt)} 督办至{units.name(p.escalatedUnitId)}
                  </dd>
                </>
              )}
              <dt>考试</dt>
              <dd>
                {p.examResults.length === 0
                  ? '—'
                  : p.examResults.map((e) => `第 ${e.sitting} 次${e.passed ? '通过' : '未通过'}`).join('，')}
                {p.certificate && (
                  <>
                    {' '}
                    <Badge tone="ok">已取得证书</Badge>
                  </>
                )}
              </dd>
              <dt>简历推送</dt>
              <dd>已向 {p.profilesSentToEnterprises} 家企业推送</dd>
            </dl>
          </section>
          <PipelineActions
            key={p.timeline.length}
            pipeline={p}
            actions={actions}
            matches={matches.data?.items ?? []}
            offerFor={offerFor}
            onChoose={setOfferFor}
            onActed={(answer, what) => {
              pipeline.set({ ...answer, ...(p.worker ? { worker: p.worker } : {}) });
              setDone(what);
              setOfferFor(null);
            }}
            onRefresh={pipeline.reload}
          />
          <Offers pipeline={p} />
          {mayMatch && (
            <section class="card" aria-labelledby="matches-title">
              <h2 id="matches-title">推荐岗位（按匹配度）</h2>
              {!matches.data ? (
                <Pending resource={matches} label="正在匹配岗位……" />
              ) : (
                <MatchList
                  matches={matches.data.items}
                  canOffer={actions.includes('record-offer')}
                  onOffer={setOfferFor}
                />
              )}
            </section>
          )}
        </div>
        <div class="column">
          <section class="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title">流程记录</h2>
            <ol class="timeline" data-testid="timeline">
              {p.timeline.map((event) => (
                <li key={event.seq} class={`timeline-item timeline-${event.kind}`}>
                  <div class="timeline-when">{shanghaiTime(event.occurredAt)}</div>
                  <div class="timeline-what">{event.description}</div>
                  {event.fromStep !== event.toStep && (
                    <div class="timeline-who muted small">
                      {stepLabel(event.fromStep)} → {stepLabel(event.toStep)}
                    </div>
                  )}
                </li>
              ))}
            </ol>
          </section>
        </div>
      </div>
    </main>
  );
}

function Offers({ pipeline }: { pipeline: PipelineDetail }) {
  if (pipeline.offers.length === 0) {
    return null;
  }
  return (
    <section class="card" aria-labelledby="offers-title">
      <h2 id="offers-title">录用意向</h2>
      <table class="table" data-testid="offers">
        <thead>
          <tr>
            <th>岗位</th>
            <th>状态</th>
            <th>登记时间</th>
          </tr>
        </thead>
        <tbody>
          {pipeline.offers.map((o) => (
            <tr key={o.id}>
              <td>
                {o.enterpriseName} · {o.openingTitle}
              </td>
              <td>{OFFER_LABELS[o.status] ?? o.status}</td>
              <td>{shanghaiTime(o.offeredAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function MatchList({
  matches,
  canOffer,
  onOffer,
}: {
  matches: Match[];
  canOffer: boolean;
  onOffer: (openingId: string) => void;
}) {
  if (matches.length === 0) {
    return <Empty>暂时没有与该学员技能、意向相符且有空缺的岗位。</Empty>;
  }
  return (
    <ol class="matches" data-testid="matches">
      {matches.map((m) => (
        <li key={m.openingId} class="match" data-opening-id={m.openingId}>
          <div class="match-head">
            <strong>
              {m.rank}. {m.enterpriseName} · {m.title}
            </strong>{' '}
            <Badge tone="info">匹配分 {m.score}</Badge>
          </div>
          <div class="muted small">
            {yuan(m.monthlyPayFen, ' 元/月')} ·{' '}
            {WORK_HOURS_LABELS[m.hours as keyof typeof WORK_HOURS_LABELS] ?? m.hours} · 已录用 {m.placedCount}/
            {m.headcount}
          </div>
          <ul class="items">
            {m.reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
          {canOffer && (
            <button type="button" class="button button-small" onClick={() => onOffer(m.openingId)}>
              为此岗位登记录用意向
            </button>
          )}
        </li>
      ))}
    </ol>
  );
}

interface ActionProps {
  pipeline: PipelineDetail;
  actions: PipelineAction[];
  matches: Match[];
  /** An opening chosen from the ranked list: opens the offer form with it selected. */
  offerFor: string | null;
  onChoose: (openingId: string | null) => void;
  onActed: (answer: PipelineDetail, what: string) => void;
  onRefresh: () => void;
}

/** Buttons for the actions the caller may take now, each opening its form; a refusal shows the API's words. */
function PipelineActions({ pipeline, actions, matches, offerFor, onChoose, onActed, onRefresh }: ActionProps) {
  const [picked, setPicked] = useState<PipelineAction | null>(null);
  const choice = offerFor ? 'record-offer' : picked;
  const pick = (action: PipelineAction | null) => {
    onChoose(null);
    setPicked(action);
  };

  return (
    <section class="card card-actions" aria-labelledby="pipeline-actions-title" data-testid="actions">
      <h2 id="pipeline-actions-title">可办理的操作</h2>
      {actions.length === 0 ? (
        <p class="muted">
          {pipeline.status === 'open'
            ? `学员处于「${pipeline.stepLabel}」，此步骤由系统或培训专员推进，您暂时没有可办理的操作。`
            : '流程已结束，不能再办理。'}
        </p>
      ) : (
        <div class="action-buttons">
          {actions.map((action) => (
            <button
              key={action}
              type="button"
              data-action={action}
              class={`button ${action === 'withdraw' || action.startsWith('decline') ? '' : 'button-primary'} ${choice === action ? 'button-pressed' : ''}`}
              aria-pressed={choice === action}
              onClick={() => pick(choice === action ? null : action)}
            >
              {PIPELINE_ACTION_LABELS[action]}
            </button>
          ))}
        </div>
      )}
      {choice && actions.includes(choice) && (
        <ActionForm
          key={`${choice}-${offerFor ?? ''}`}
          choice={choice}
          pipeline={pipeline}
          matches={matches}
          openingId={offerFor}
          onCancel={() => pick(null)}
          onActed={(answer) => onActed(answer, PIPELINE_ACTION_LABELS[choice])}
          onRefresh={onRefresh}
        />
      )}
    </section>
  );
}

function ActionForm({
  choice,
  pipeline,
  matches,
  openingId: chosen,
  onCancel,
  onActed,
  onRefresh,
}: {
  choice: PipelineAction;
  pipeline: PipelineDetail;
  matches: Match[];
  openingId: string | null;
  onCancel: () => void;
  onActed: (answer: PipelineDetail) => void;
  onRefresh: () => void;
}) {
  const submission = useSubmission();
  const { busy, error } = submission;
  const [openingId, setOpeningId] = useState(chosen ?? '');
  const [reason, setReason] = useState('');
  const [employed, setEmployed] = useState<'yes' | 'no'>('yes');

  const body = (): Record<string, unknown> | string => {
    switch (choice) {
      case 'record-offer':
        return openingId ? { openingId } : '请选择录用的岗位';
      case 'decline':
      case 'decline-offer':
        return reason.trim() ? { reason } : {};
      case 'withdraw':
        return reason.trim() ? { reason } : '请填写退出原因';
      case 'follow-up':
        return { stillEmployed: employed === 'yes', ...(reason.trim() ? { note: reason } : {}) };
      default:
        return {};
    }
  };

  const submit = (event: Event) => {
    event.preventDefault();
    const payload = body();
    if (typeof payload === 'string') {
      submission.refuse(payload);
      return;
    }
    void submission.send(async (key) => onActed(await actOnPipeline(pipeline.id, choice, payload, key)));
  };

  const label = PIPELINE_ACTION_LABELS[choice];
  return (
    <form class="action-form" onSubmit={submit} data-form={choice} aria-label={label}>
      <h3>{label}</h3>
      <p class="muted small">{HINTS[choice]}</p>
      {choice === 'record-offer' && (
        <label class="field">
          <span>录用岗位</span>
          <select name="openingId" required value={openingId} onChange={(e) => setOpeningId(e.currentTarget.value)}>
            <option value="">请选择岗位</option>
            {matches.map((m) => (
              <option key={m.openingId} value={m.openingId}>
                {m.rank}. {m.enterpriseName} · {m.title}
              </option>
            ))}
          </select>
        </label>
      )}
      {choice === 'follow-up' && (
        <fieldset class="field">
          <legend>回访结果</legend>
          <label class="radio">
            <input type="radio" name="employed" checked={employed === 'yes'} onChange={() => setEmployed('yes')} />
            仍在岗
          </label>
          <label class="radio">
            <input type="radio" name="employed" checked={employed === 'no'} onChange={() => setEmployed('no')} />
            已离岗（重新对接岗位）
          </label>
        </fieldset>
      )}
      {(choice === 'decline' || choice === 'decline-offer' || choice === 'withdraw' || choice === 'follow-up') && (
        <label class="field">
          <span>
            {choice === 'follow-up' ? '回访情况（可不填）' : choice === 'withdraw' ? '原因' : '原因（可不填）'}
          </span>
          <textarea
            name="reason"
            rows={3}
            required={choice === 'withdraw'}
            maxLength={choice === 'follow-up' ? 1000 : 500}
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </label>
      )}
      <ErrorBanner error={error} />
      {error instanceof ApiError && (error.status === 409 || error.status === 403) && (
        <p>
          <button type="button" class="button button-small" onClick={onRefresh}>
            刷新，查看学员最新状态
          </button>
        </p>
      )}
      <div class="form-buttons">
        <button type="submit" class="button button-primary" disabled={busy} data-submit={choice}>
          {busy ? '正在提交……' : `确认${label}`}
        </button>
        <button type="button" class="button button-quiet" onClick={onCancel} disabled={busy}>
          取消
        </button>
      </div>
    </form>
  );
}
