import { useState } from 'preact/hooks';
import { shanghaiTime, yuan } from '../../shared/format.js';
import {
  STEP_LABELS,
  fundLabel,
  hardshipLabel,
  methodLabel,
  sourceLabel,
  urgencyLabel,
  type Step,
} from '../../shared/labels.js';
import { Link } from '../../shared/router.js';
import { Badge, Empty, ErrorBanner, Notice, useResource, type Resource } from '../../shared/ui.js';
import { DetailPending, EscalationBadge, PageHeader, TimeLeft } from '../components.js';
import { fetchCase, fetchPayments, type CaseDetail, type Me, type Payment } from '../data.js';
import { useUnits, type Units } from '../units.js';
import { ActionPanel } from './case-actions.js';

/**
 * One case (GET /cases/:id): the worker as the API masks them, the step, deadline and suspension, the actions the
 * caller may take now (the API's `availableActions`), and the timeline in the API's own words.
 */
export function CasePage({ id, me }: { id: string; me: Me }) {
  const units = useUnits();
  const kase = useResource(() => fetchCase(id), [id]);
  const payments = useResource(() => fetchPayments(id), [id]);
  const [done, setDone] = useState<string | null>(null);

  if (!kase.data) {
    return <DetailPending back="inbox" backLabel="返回待办" resource={kase} label="正在读取工单……" />;
  }
  const c = kase.data;
  const onActed = (answer: CaseDetail, what: string) => {
    kase.set({ ...answer, worker: answer.worker ?? c.worker });
    setDone(what);
    payments.reload();
  };

  return (
    <main class="page" data-case-id={c.id}>
      <p class="crumbs">
        <Link to="inbox">待办</Link> / <Link to="cases">工单</Link> / #{c.number}
      </p>
      <PageHeader title={`工单 #${c.number}`}>
        <Badge tone={c.status === 'open' ? 'info' : 'none'}>{c.status === 'open' ? c.stepLabel : c.statusLabel}</Badge>
        <Badge tone={c.urgency === 'urgent' ? 'late' : 'none'}>{urgencyLabel(c.urgency)}</Badge>
        <Badge>{c.categoryLabel}</Badge>
      </PageHeader>
      {done && (
        <Notice tone="success">
          已完成「{done}」。工单现处于「{c.status === 'open' ? c.stepLabel : c.statusLabel}」。
        </Notice>
      )}
      <ErrorBanner error={kase.error} onRetry={kase.reload} />
      <div class="columns">
        <div class="column">
          <section class="card" aria-labelledby="deadline-title">
            <h2 id="deadline-title">办理与时限</h2>
            <dl class="facts">
              <dt>当前步骤</dt>
              <dd data-testid="case-step">
                {c.status === 'open' ? c.stepLabel : `${c.statusLabel}（${STEP_LABELS[c.step]}）`}
              </dd>
              <dt>办理单位</dt>
              <dd>{units.name(c.holderUnitId)}</dd>
              <dt>本步期限</dt>
              <dd>{shanghaiTime(c.dueAt)}</dd>
              <dt>剩余 / 超时</dt>
              <dd>
                <TimeLeft step={c} /> <EscalationBadge level={c.escalationLevel} />
                {c.stepCalendar && (
                  <span class="muted small"> {c.stepCalendar === 'working' ? '（按工作日计）' : '（按自然日计）'}</span>
                )}
              </dd>
              {c.suspendedUntil && (
                <>
                  <dt>暂停计时</dt>
                  <dd>至 {shanghaiTime(c.suspendedUntil)}</dd>
                </>
              )}
              {c.fundingBlockedReason && (
                <>
                  <dt>审批受阻</dt>
                  <dd class="text-late">{c.fundingBlockedReason}</dd>
                </>
              )}
              <dt>开单</dt>
              <dd>
                {units.name(c.openedUnitId)} · {shanghaiTime(c.openedAt)}
              </dd>
              {c.closedAt && (
                <>
                  <dt>办结</dt>
                  <dd>{shanghaiTime(c.closedAt)}</dd>
                </>
              )}
            </dl>
          </section>
          <ActionPanel kase={c} me={me} units={units} onActed={onActed} onRefresh={kase.reload} />
          <section class="card" aria-labelledby="worker-title">
            <h2 id="worker-title">职工与诉求</h2>
            <dl class="facts">
              <dt>职工</dt>
              <dd>{c.worker?.name ?? '—'}</dd>
              <dt>身份证号</dt>
              <dd class="mono">{c.worker?.idNumber ?? '—'}</dd>
              <dt>困难类型</dt>
              <dd>{hardshipLabel(c.worker?.hardshipStatus)}</dd>
              <dt>所在单位</dt>
              <dd>{units.name(c.worker?.unitId)}</dd>
              <dt>来源</dt>
              <dd>{sourceLabel(c.source)}</dd>
              <dt>资金</dt>
              <dd>{fundLabel(c.fund)}</dd>
            </dl>
            <h3>事由</h3>
            <p class="prose">{c.summary}</p>
          </section>
          <Payments resource={payments} />
        </div>
        <div class="column">
          <Timeline kase={c} units={units} />
        </div>
      </div>
    </main>
  );
}

function Timeline({ kase, units }: { kase: CaseDetail; units: Units }) {
  return (
    <section class="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">办理记录</h2>
      <ol class="timeline" data-testid="timeline">
        {kase.timeline.map((event) => (
          <li key={event.seq} class={`timeline-item timeline-${event.kind}`}>
            <div class="timeline-when">{shanghaiTime(event.occurredAt)}</div>
            <div class="timeline-what">{event.description}</div>
            <div class="timeline-who muted small">
              {event.actorUnitId ? units.name(event.actorUnitId) : '系统'}
              {event.fromStep !== event.toStep && (
                <>
                  {' · '}
                  {STEP_LABELS[event.fromStep as Step] ?? event.fromStep} →{' '}
                  {STEP_LABELS[event.toStep as Step] ?? event.toStep}
                </>
              )}
              {(event.kind === 'plan' || event.kind === 'deliver') && Array.isArray(event.data.items) && (
                <ul class="items">
                  {(event.data.items as { kind: string; amountFen: number; note?: string }[]).map((item, i) => (
                    <li key={i}>
                      {item.kind}：{yuan(item.amountFen)}
                      {item.note ? `（${item.note}）` : ''}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

function Payments({ resource }: { resource: Resource<{ items: Payment[] }> }) {
  if (!resource.data) {
    return resource.error ? <ErrorBanner error={resource.error} onRetry={resource.reload} /> : null;
  }
  const items = resource.data.items;
  return (
    <section class="card" aria-labelledby="payments-title">
      <h2 id="payments-title">发放记录</h2>
      {items.length === 0 ? (
        <Empty>尚未发放。</Empty>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th>项目</th>
              <th class="num">金额</th>
              <th>方式</th>
              <th>时间</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => (
              <tr key={p.id}>
                <td>
                  {p.kind}
                  {p.reversedAt && <Badge tone="late">已冲正</Badge>}
                </td>
                <td class="num">{yuan(p.amountFen)}</td>
                <td>
                  {methodLabel(p.method)} · {p.reference}
                </td>
                <td>{shanghaiTime(p.paidAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
