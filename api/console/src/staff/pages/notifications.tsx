import { shanghaiTime } from '../../shared/format.js';
import { notificationLabel } from '../../shared/labels.js';
import { navigate } from '../../shared/router.js';
import { Badge, Empty, ErrorBanner, Loading, MoreButton, usePaged } from '../../shared/ui.js';
import { PageHeader } from '../components.js';
import { fetchNotifications, markNotificationRead, type Notification } from '../data.js';

const TONES: Record<string, 'late' | 'soon' | 'info'> = { overdue: 'late', escalation: 'late', reminder: 'soon' };

/** The caller's reminders, overdue and escalation alerts and new work orders (GET /notifications), newest first. */
export function NotificationsPage() {
  const list = usePaged((cursor) => fetchNotifications(cursor), []);
  const open = async (n: Notification) => {
    if (!n.readAt) {
      await markNotificationRead(n.id).catch(() => undefined);
    }
    if (n.caseId) {
      navigate(`cases/${n.caseId}`);
    } else {
      list.reload();
    }
  };

  return (
    <main class="page">
      <PageHeader title="通知" />
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {!list.ready ? (
        <Loading />
      ) : list.items.length === 0 ? (
        <Empty>暂无通知。</Empty>
      ) : (
        <ul class="notifications">
          {list.items.map((n) => (
            <li key={n.id} class={n.readAt ? 'notification' : 'notification notification-unread'}>
              <button type="button" class="notification-button" onClick={() => void open(n)}>
                <Badge tone={TONES[n.kind] ?? 'info'}>{notificationLabel(n.kind)}</Badge>
                <span class="notification-title">{n.title}</span>
                <span class="muted small">{shanghaiTime(n.deliveredAt)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <MoreButton list={list} />
    </main>
  );
}
