import { yuan } from '../../shared/format.js';
import { Empty, Pending, useResource } from '../../shared/ui.js';
import { fetchWarmList, itemsOf, text } from '../data.js';

/** All help received, from the union and from other departments (GET /portal/warm-list). */
export function WarmListPage() {
  const list = useResource(fetchWarmList, []);
  if (!list.data) {
    return <Pending resource={list} label="正在查询……" />;
  }
  const items = itemsOf(list.data);
  return items.length === 0 ? (
    <Empty>暂无记录。</Empty>
  ) : (
    <ul class="list">
      {items.map((item, i) => (
        <li key={i} class="list-item">
          <span class="list-title">
            {text(item.title ?? item.kind)}
            {typeof item.amountFen === 'number' ? ` · ${yuan(item.amountFen)}` : ''}
          </span>
          <span class="muted small">
            {text(item.sourceLabel)} · {text(item.helpTypeLabel)} · {text(item.date)}
          </span>
        </li>
      ))}
    </ul>
  );
}
