import { useMemo, useState } from 'preact/hooks';
import { newIdempotencyKey } from '../../../shared/api.js';
import { shanghaiTime } from '../../../shared/format.js';
import { hardshipLabel } from '../../../shared/labels.js';
import { Link, navigate } from '../../../shared/router.js';
import { Badge, ErrorBanner, Notice, useResource } from '../../../shared/ui.js';
import { DetailPending, PageHeader } from '../../components.js';
import type { Me } from '../../data.js';
import { LEAD_REVIEWERS, confirmLead, dismissLead, fetchLead, type Lead } from '../../data-perception.js';
import { useUnits } from '../../units.js';
import { LeadDeadline } from './leads.js';
import { GROUP_LABELS, LAPSED_REASON_LABELS, LEAD_STATUS_LABELS, figureLabel, figureValue } from './words.js';

/**
 * One lead (GET /leads/:id): the worker as the API masks them, every reason in Chinese with its figures, rule
 * version and data date, and, for the roles the API allows, confirm (which opens a case and goes to it) and
 * dismiss (with a reason).
 */
export function LeadPage({ id, me }: { id: string; me: Me }) {
  const units = useUnits();
  const lead = useResource(() => fetchLead(id), [id]);
  const [done, setDone] = useState<string | null>(null);

  if (!lead.data) {
    return <DetailPending back="perception/leads" backLabel="返回感知线索" resource={lead} label="正在读取线索……" />;
  }
  const l = lead.data;
  const mayReview = (LEAD_REVIEWERS as readonly string[]).includes(me.role);

  return (
    <main class="page" data-lead-id={l.id}>
      <p class="crumbs">
        <Link to="perception/leads">感知线索</Link> / {l.worker.name}
      </p>
      <PageHeader title={`感知线索：${l.worker.name}`}>
        <Badge tone={l.status === 'open' ? 'info' : 'none'}>{LEAD_STATUS_LABELS[l.status] ?? l.statusLabel}</Badge>
        <Badge>{GROUP_LABELS[l.group] ?? l.groupLabel}</Badge>
        <Badge tone="soon">得分 {l.score}</Badge>
      </PageHeader>
      {done && <Notice tone="success">{done}</Notice>}
      <div class="columns">
        <div class="column">
          <section class="card" aria-labelledby="reasons-title">
            <h2 id="reasons-title">线索原因</h2>
            <ol class="timeline" data-testid="reasons">
              {l.reasons.map((reason) => (
                <li key={reason.ruleId} class="timeline-item" data-rule-code={reason.ruleCode}>
                  <div class="timeline-what">
                    <strong>{reason.ruleName}</strong>{' '}
                    <Badge tone={reason.weight >= 0 ? 'soon' : 'ok'}>
                      {reason.weight >= 0 ? '+' : ''}
                      {reason.weight} 分
                    </Badge>
                  </div>
                  <p class="prose">{reason.reason}</p>
                  <div class="muted small">
                    {Object.entries(reason.figures)
                      .map(([key, value]) => `${figureLabel(key)} ${figureValue(key, value)}`)
                      .join(' · ')}
                  </div>
                  <div class="muted small">
                    规则版本 v{reason.ruleVersion} · 数据截至 {reason.dataAsOf ?? '—'}
                  </div>
                </li>
              ))}
            </ol>
          </section>
        </div>
        <div class="column">
          <section class="card" aria-labelledby="worker-title">
            <h2 id="worker-title">职工与审核</h2>
            <dl class="facts">
              <dt>职工</dt>
              <dd>{l.worker.name}</dd>
              <dt>身份证号</dt>
              <dd class="mono">{l.worker.idNumber}</dd>
              <dt>困难类型</dt>
              <dd>{hardshipLabel(l.worker.hardshipStatus)}</dd>
              <dt>所在单位</dt>
              <dd>{units.name(l.unitId)}</dd>
              <dt>审核单位</dt>
              <dd>{units.name(l.reviewUnitId)}</dd>
              <dt>数据截至</dt>
              <dd>{l.dataAsOf ?? '—'}</dd>
              <dt>发现时间</dt>
              <dd>{shanghaiTime(l.raisedAt)}</dd>
              <dt>审核期限</dt>
              <dd>
                <LeadDeadline lead={l} />
              </dd>
              {l.reviewedAt && (
                <>
                  <dt>审核时间</dt>
                  <dd>{shanghaiTime(l.reviewedAt)}</dd>
                </>
              )}
              {l.dismissReason && (
                <>
                  <dt>排除理由</dt>
                  <dd>{l.dismissReason}</dd>
                </>
              )}
              {l.lapsedReason && (
                <>
                  <dt>失效原因</dt>
                  <dd>{LAPSED_REASON_LABELS[l.lapsedReason as keyof typeof LAPSED_REASON_LABELS] ?? l.lapsedReason}</dd>
                </>
              )}
              {l.caseId && (
                <>
                  <dt>帮扶工单</dt>
                  <dd>
                    <Link to={`cases/${l.caseId}`}>查看工单</Link>
                  </dd>
                </>
              )}
            </dl>
          </section>
          {mayReview && l.status === 'open' && (
            <ReviewPanel
              lead={l}
              onDismissed={(answer) => {
                lead.set(answer);
                setDone('已排除该线索。此后一段时间内若无新数据，不再提示。');
              }}
              onRefresh={lead.reload}
            />
          )}
        </div>
      </div>
    </main>
  );
}

function ReviewPanel({
  lead,
  onDismissed,
  onRefresh,
}: {
  lead: Lead;
  onDismissed: (lead: Lead) => void;
  onRefresh: () => void;
}) {
  const [mode, setMode] = useState<'confirm' | 'dismiss' | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // A retried submission of the same form acts once; another reason is another request.
  const confirmKey = useMemo(newIdempotencyKey, []);
  const dismissKey = useMemo(newIdempotencyKey, [reason]);

  const choose = (next: 'confirm' | 'dismiss') => {
    setMode(mode === next ? null : next);
    setError(null);
  };
  const run = async (act: () => Promise<void>) => {
    if (busy) {
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await act();
    } catch (failure) {
      setError(failure);
    }
    setBusy(false);
  };
  const confirm = () =>
    run(async () => {
      const answer = await confirmLead(lead.id, confirmKey);
      navigate(`cases/${answer.caseId}`);
    });
  const dismiss = (event: Event) => {
    event.preventDefault();
    return run(async () => onDismissed(await dismissLead(lead.id, reason, dismissKey)));
  };

  return (
    <section class="card card-actions" aria-labelledby="review-title" data-testid="review">
      <h2 id="review-title">审核线索</h2>
      <div class="action-buttons">
        <button
          type="button"
          class={`button button-primary ${mode === 'confirm' ? 'button-pressed' : ''}`}
          aria-pressed={mode === 'confirm'}
          onClick={() => choose('confirm')}
        >
          确认
        </button>
        <button
          type="button"
          class={`button ${mode === 'dismiss' ? 'button-pressed' : ''}`}
          aria-pressed={mode === 'dismiss'}
          onClick={() => choose('dismiss')}
        >
          排除
        </button>
      </div>
      {mode === 'confirm' && (
        <div class="action-form" data-form="confirm">
          <h3>确认线索</h3>
          <p class="muted small">
            确认后开立一张感知来源的帮扶工单，使用感知专项资金，先由职工所在工会办理。同一线索只开一张工单。
          </p>
          <ErrorBanner error={error} />
          <div class="form-buttons">
            <button type="button" class="button button-primary" disabled={busy} onClick={() => void confirm()}>
              {busy ? '正在开单……' : '确认并开立工单'}
            </button>
            <button type="button" class="button button-quiet" onClick={onRefresh}>
              刷新线索
            </button>
          </div>
        </div>
      )}
      {mode === 'dismiss' && (
        // The reason is checked by the API, not the browser, so a person reads the API's own words when it is missing.
        <form class="action-form" data-form="dismiss" noValidate onSubmit={(event) => void dismiss(event)}>
          <h3>排除线索</h3>
          <p class="muted small">
            请写明排除的理由（如已核实不属实、已由其他渠道解决）。排除后若无新数据，一段时间内不再提示。
          </p>
          <label class="field">
            <span>排除理由</span>
            <textarea rows={3} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
          <ErrorBanner error={error} />
          <div class="form-buttons">
            <button type="submit" class="button" disabled={busy}>
              {busy ? '正在提交……' : '确认排除'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
