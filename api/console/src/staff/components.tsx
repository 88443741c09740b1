import type { ComponentChildren } from 'preact';
import { shanghaiTime, timeLeftLabel, type StepTiming } from '../shared/format.js';
import { urgencyLabel } from '../shared/labels.js';
import { Link, navigate } from '../shared/router.js';
import { Badge, Empty, Pending, type Resource } from '../shared/ui.js';
import type { CaseSummary } from './data.js';
import type { Units } from './units.js';

export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="page-header">
      <h1>{title}</h1>
      {children && <div class="page-actions">{children}</div>}
    </div>
  );
}

/** Time left on the step, or time late, in working days and hours for working-day steps. */
export function TimeLeft({ step }: { step: StepTiming }) {
  const { text, tone } = timeLeftLabel(step);
  return <Badge tone={tone}>{text}</Badge>;
}

export function EscalationBadge({ level }: { level: number }) {
  return level > 0 ? <Badge tone="late">督办 {level} 级</Badge> : null;
}

/** A table of cases; each row opens the case. On a narrow screen the rows become cards. */
export function CaseTable({ cases, units, empty }: { cases: CaseSummary[]; units: Units; empty: string }) {
  if (cases.length === 0) {
    return <Empty>{empty}</Empty>;
  }
  return (
    <table class="table table-cards">
      <thead>
        <tr>
          <th>编号</th>
          <th>类别</th>
          <th>当前步骤</th>
          <th>办理单位</th>
          <th>期限</th>
          <th>剩余 / 超时</th>
        </tr>
      </thead>
      <tbody>
        {cases.map((c) => (
          <tr key={c.id} class="row-link" onClick={() => navigate(`cases/${c.id}`)} data-case-number={c.number}>
            <td data-label="编号">
              <Link to={`cases/${c.id}`} onClick={(e: MouseEvent) => e.stopPropagation()}>
                #{c.number}
              </Link>
              {c.urgency === 'urgent' && (
                <>
                  {' '}
                  <Badge tone="late">{urgencyLabel(c.urgency)}</Badge>
                </>
              )}
            </td>
            <td data-label="类别">{c.categoryLabel}</td>
            <td data-label="当前步骤">
              {c.status === 'open' ? c.stepLabel : c.statusLabel}
              {c.fundingBlockedReason && (
                <>
                  {' '}
                  <Badge tone="soon">审批受阻</Badge>
                </>
              )}
            </td>
            <td data-label="办理单位">{units.name(c.holderUnitId)}</td>
            <td data-label="期限">{shanghaiTime(c.dueAt)}</td>
            <td data-label="剩余 / 超时">
              <TimeLeft step={c} /> <EscalationBadge level={c.escalationLevel} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function StatCard({ label, value, tone }: { label: string; value: ComponentChildren; tone?: string }) {
  return (
    <div class={`stat ${tone ? `stat-${tone}` : ''}`}>
      <div class="stat-value">{value}</div>
      <div class="stat-label">{label}</div>
    </div>
  );
}

/** A detail page while its record loads, or after it failed to: the way back to its list, and the wait or error. */
export function DetailPending({
  back,
  backLabel,
  resource,
  label,
}: {
  back: string;
  backLabel: string;
  resource: Pick<Resource<unknown>, 'error' | 'reload'>;
  label: string;
}) {
  return (
    <main class="page">
      <p>
        <Link to={back}>← {backLabel}</Link>
      </p>
      <Pending resource={resource} label={label} />
    </main>
  );
}
