import { useEffect, useState } from 'preact/hooks';
import { shanghaiTime } from '../../../shared/format.js';
import { Link, navigate, withQuery } from '../../../shared/router.js';
import { Badge, Empty, ErrorBanner, Loading, MoreButton, useResource, usePaged } from '../../../shared/ui.js';
import { EscalationBadge, PageHeader } from '../../components.js';
import { SelectFilter, UnitFilter, filtersFrom } from '../../filters.js';
import type { Me } from '../../data.js';
import { LEAD_GROUPS, LEAD_STATUSES, fetchLeads, fetchRules, type Lead } from '../../data-perception.js';
import { useUnits, type Units } from '../../units.js';
import { GROUP_LABELS, LEAD_STATUS_LABELS } from './words.js';

const FILTERS = ['group', 'unitId', 'ruleId', 'minScore', 'status'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

/** The review deadline of an open lead, or what became of it. */
export function LeadDeadline({ lead, short = false }: { lead: Lead; short?: boolean }) {
  if (lead.status !== 'open') {
    return <Badge>{LEAD_STATUS_LABELS[lead.status] ?? lead.statusLabel}</Badge>;
  }
  return (
    <>
      <Badge tone={lead.overdue ? 'late' : 'ok'}>
        {lead.overdue ? '已超期' : '审核期限'} {short ? shanghaiTime(lead.dueAt).slice(5) : shanghaiTime(lead.dueAt)}
      </Badge>{' '}
      <EscalationBadge level={lead.escalationLevel} />
    </>
  );
}

function LeadTable({ leads, units }: { leads: Lead[]; units: Units }) {
  if (leads.length === 0) {
    return <Empty>没有符合条件的线索。</Empty>;
  }
  return (
    <table class="table table-cards" data-testid="leads-table">
      <thead>
        <tr>
          <th class="num">得分</th>
          <th>分组</th>
          <th>职工</th>
          <th>所在单位</th>
          <th>主要原因</th>
          <th>数据截至</th>
          <th>发现 / 期限</th>
        </tr>
      </thead>
      <tbody>
        {leads.map((lead) => (
          <tr
            key={lead.id}
            class="row-link"
            data-lead-id={lead.id}
            onClick={() => navigate(`perception/leads/${lead.id}`)}
          >
            <td data-label="得分" class="num strong">
              {lead.score}
            </td>
            <td data-label="分组">{GROUP_LABELS[lead.group] ?? lead.groupLabel}</td>
            <td data-label="职工">
              <Link to={`perception/leads/${lead.id}`} onClick={(e: MouseEvent) => e.stopPropagation()}>
                {lead.worker.name}
              </Link>{' '}
              <span class="mono small muted">{lead.worker.idNumber}</span>
            </td>
            <td data-label="所在单位">{units.name(lead.unitId)}</td>
            <td data-label="主要原因">
              {lead.reasons[0]?.ruleName ?? '—'}
              {lead.reasons.length > 1 && <span class="muted small"> 等 {lead.reasons.length} 项</span>}
            </td>
            <td data-label="数据截至">{lead.dataAsOf ?? '—'}</td>
            <td data-label="发现 / 期限">
              <LeadDeadline lead={lead} short />
              <div class="small muted">发现于 {shanghaiTime(lead.raisedAt)}</div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Lead review (感知线索, GET /leads): the leads of the caller's subtree, highest score first, filtered by group,
 * unit, rule, minimum score and status through the query string, so a filtered list is a link to share.
 */
export function LeadsPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const units = useUnits();
  const rules = useResource(fetchRules, []);
  const filters: Filters = filtersFrom(query, FILTERS);
  const key = JSON.stringify(filters);
  const list = usePaged((cursor) => fetchLeads({ ...filters, cursor }), [key]);
  const set = (name: keyof Filters, value: string) =>
    navigate(withQuery('perception/leads', { ...filters, [name]: value }), { replace: true });
  const scopeName = filters.unitId ? units.name(filters.unitId) : me.unitName;
  // What is typed stays while the list reloads; it becomes a filter when committed (Enter or leaving the field).
  const [minScore, setMinScore] = useState(filters.minScore ?? '');
  useEffect(() => setMinScore(filters.minScore ?? ''), [filters.minScore]);

  return (
    <main class="page">
      <PageHeader title="感知线索" />
      <p class="muted">
        {scopeName}
        及下级单位职工的感知线索，按得分从高到低。线索由部门数据经规则模型计算得出，确认后开立感知来源的帮扶工单。
      </p>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="筛选">
        <label class="field field-inline">
          <span>状态</span>
          <select value={filters.status ?? 'open'} onChange={(e) => set('status', e.currentTarget.value)}>
            {LEAD_STATUSES.map((status) => (
              <option key={status} value={status}>
                {LEAD_STATUS_LABELS[status]}
              </option>
            ))}
          </select>
        </label>
        <SelectFilter
          label="分组"
          value={filters.group}
          choices={LEAD_GROUPS.map((group) => [group, GROUP_LABELS[group] ?? group] as const)}
          onChange={(v) => set('group', v)}
        />
        <UnitFilter me={me} units={units} value={filters.unitId} onChange={(v) => set('unitId', v)} />
        <SelectFilter
          label="规则"
          value={filters.ruleId}
          choices={(rules.data?.items ?? []).map((rule) => [rule.id, rule.name] as const)}
          onChange={(v) => set('ruleId', v)}
        />
        <label class="field field-inline">
          <span>最低得分</span>
          <input
            type="number"
            inputMode="numeric"
            min={-10000}
            max={10000}
            step={1}
            value={minScore}
            onInput={(e) => setMinScore(e.currentTarget.value)}
            onChange={(e) => set('minScore', e.currentTarget.value.trim())}
          />
        </label>
      </form>
      <ErrorBanner error={rules.error} onRetry={rules.reload} />
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {!list.ready ? (
        <Loading label="正在查询线索……" />
      ) : (
        <>
          <LeadTable leads={list.items} units={units} />
          <MoreButton list={list} />
        </>
      )}
    </main>
  );
}
