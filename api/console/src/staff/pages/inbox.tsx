import { ErrorBanner, Loading, MoreButton, usePaged } from '../../shared/ui.js';
import { CaseTable, PageHeader, StatCard } from '../components.js';
import { fetchInbox, type Me } from '../data.js';
import { useUnits } from '../units.js';

/** The steps the caller's unit must act on now (GET /inbox), soonest deadline first, as the API sorts them. */
export function InboxPage({ me }: { me: Me }) {
  const units = useUnits();
  const list = usePaged(fetchInbox, []);
  const items = list.items;
  const late = items.filter((c) => c.overdue).length;
  const soon = items.filter(
    (c) => !c.overdue && typeof c.timeLeftSeconds === 'number' && c.timeLeftSeconds < 86_400,
  ).length;

  return (
    <main class="page">
      <PageHeader title="待办工单">
        <button type="button" class="button button-quiet" onClick={list.reload} disabled={list.loading}>
          {list.loading ? '刷新中……' : '刷新'}
        </button>
      </PageHeader>
      <p class="muted">
        {me.unitName}需要办理的工单，按办理期限先后排列。工作日时限的剩余时间只计工作日，周末和法定节假日不计。
      </p>
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {!list.ready ? (
        <Loading label="正在读取待办工单……" />
      ) : (
        <>
          <div class="stats">
            <StatCard label="待办" value={`${items.length}${list.hasMore ? '+' : ''}`} />
            <StatCard label="已超时" value={late} {...(late ? { tone: 'late' } : {})} />
            <StatCard label="一天内到期" value={soon} {...(soon ? { tone: 'soon' } : {})} />
          </div>
          <CaseTable cases={items} units={units} empty="目前没有需要本单位办理的工单。" />
          <MoreButton list={list} />
        </>
      )}
    </main>
  );
}
