import { Badge, Empty, Pending, useResource } from '../../shared/ui.js';
import { fetchPolicies, itemsOf, text } from '../data.js';

/** Policies the worker may qualify for, with the reasons (GET /portal/policies). */
export function PoliciesPage() {
  const policies = useResource(fetchPolicies, []);
  if (!policies.data) {
    return <Pending resource={policies} label="正在查询……" />;
  }
  const items = itemsOf(policies.data);
  return items.length === 0 ? (
    <Empty>暂未找到与您情况相符的政策。</Empty>
  ) : (
    <ul class="list">
      {items.map((p, i) => (
        <li key={i} class="list-item">
          <span class="list-title">{text(p.name ?? p.title)}</span>
          {typeof p.eligibleLabel === 'string' && (
            <span>
              <Badge tone={p.eligible === true ? 'ok' : 'info'}>{p.eligibleLabel}</Badge>
            </span>
          )}
          <span class="small">{text(Array.isArray(p.reasons) ? p.reasons.join('；') : (p.reason ?? p.summary))}</span>
        </li>
      ))}
    </ul>
  );
}
