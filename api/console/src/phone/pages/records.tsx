import { shanghaiTime, yuan } from '../../shared/format.js';
import { Empty, Pending, useResource } from '../../shared/ui.js';
import { fetchRecords, itemsOf, text } from '../data.js';

/** The worker's cases, each with its payments (GET /portal/records: `items[].payments`). */
export function RecordsPage() {
  const records = useResource(fetchRecords, []);
  if (!records.data) {
    return <Pending resource={records} label="正在查询……" />;
  }
  const cases = itemsOf(records.data);
  const payments = cases.flatMap((c) => itemsOf(c.payments));
  return (
    <>
      <h2 class="phone-h2">帮扶发放</h2>
      {payments.length === 0 ? (
        <Empty>暂无发放记录。</Empty>
      ) : (
        <ul class="list" data-testid="payments">
          {payments.map((p, i) => (
            <li key={i} class="list-item">
              <span class="list-title">
                {text(p.item)} · {typeof p.amountFen === 'number' ? yuan(p.amountFen) : '—'}
              </span>
              <span class="muted small">
                {text(p.methodLabel)} · {text(p.statusLabel)} · {shanghaiTime(p.paidAt as string | null)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <h2 class="phone-h2">帮扶工单</h2>
      {cases.length === 0 ? <Empty>暂无工单。</Empty> : <p class="muted">共 {cases.length} 件，详情见“进度详情”。</p>}
    </>
  );
}
