import { useEffect, useMemo, useState } from 'preact/hooks';
import { newIdempotencyKey, toApiError } from '../../../shared/api.js';
import { count, shanghaiTime } from '../../../shared/format.js';
import { Link, navigate, withQuery } from '../../../shared/router.js';
import { Badge, Empty, ErrorBanner, Loading, MoreButton, ProgressBar, usePaged } from '../../../shared/ui.js';
import { PageHeader, StatCard } from '../../components.js';
import type { Me } from '../../data.js';
import { fetchScan, fetchScans, startScan, type Scan } from '../../data-perception.js';
import { SCAN_STATUS_LABELS, SCAN_TRIGGER_LABELS } from './words.js';

const POLL_MS = 1000;

const statusTone = (status: Scan['status']) =>
  status === 'completed' ? 'ok' : status === 'running' ? 'info' : status === 'failed' ? 'late' : 'none';

/** Reads the scan every second while it runs; stops once it has finished or the page is left. */
function useLiveScan(id: string | null, onFinished: () => void) {
  const [scan, setScan] = useState<Scan | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    setScan(null);
    setError(null);
    if (!id) {
      return;
    }
    let stopped = false;
    let timer = 0;
    const poll = async () => {
      try {
        const answer = await fetchScan(id);
        if (stopped) {
          return;
        }
        setScan(answer);
        setError(null);
        if (answer.status === 'running') {
          timer = window.setTimeout(() => void poll(), POLL_MS);
        } else {
          onFinished();
        }
      } catch (failure) {
        if (stopped) {
          return;
        }
        setError(failure);
        // A network hiccup should not end the watch; a scan that does not exist should.
        if (toApiError(failure).status !== 404) {
          timer = window.setTimeout(() => void poll(), POLL_MS * 3);
        }
      }
    };
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [id]);

  return { scan, error };
}

function ScanCounts({ scan }: { scan: Scan }) {
  return (
    <div class="stats" data-testid="scan-counts">
      <StatCard label="扫描职工" value={count(scan.counts.workersScanned)} />
      <StatCard label="达到临界线" value={count(scan.counts.workersFlagged)} />
      <StatCard label="新增线索" value={count(scan.counts.leadsCreated)} tone="ok" />
      <StatCard label="更新线索" value={count(scan.counts.leadsUpdated)} />
      <StatCard label="失效线索" value={count(scan.counts.leadsLapsed)} />
      <StatCard label="排除后暂不提示" value={count(scan.counts.suppressed)} />
    </div>
  );
}

function LiveScan({ scan }: { scan: Scan }) {
  return (
    <section class="card" aria-labelledby="live-title" data-testid="scan-live" data-status={scan.status}>
      <h2 id="live-title">
        本次扫描 <Badge tone={statusTone(scan.status)}>{SCAN_STATUS_LABELS[scan.status] ?? scan.status}</Badge>
      </h2>
      <ProgressBar
        share={scan.status === 'completed' ? 1 : scan.progress}
        label={`已处理 ${count(scan.chunksDone)} / ${count(scan.totalChunks)} 批职工`}
      />
      <p class="muted small">
        开始于 {shanghaiTime(scan.startedAt, true)}
        {scan.finishedAt && `，结束于 ${shanghaiTime(scan.finishedAt, true)}`}
        {scan.asOf && `；数据基准日 ${scan.asOf}`}
      </p>
      {scan.failure && <p class="text-late">{scan.failure}</p>}
      <ScanCounts scan={scan} />
      {scan.status === 'completed' && (
        <p>
          <Link to="perception/leads">查看感知线索 →</Link>
        </p>
      )}
    </section>
  );
}

/**
 * Perception scans (扫描): an admin starts one (POST /perception/scans; one at a time across the city) and watches
 * its progress live (GET /perception/scans/:id) until it completes with its counts; below, the recent scans. The
 * followed scan is in the address (`?scan=`), so a reload keeps watching it.
 */
export function ScansPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const followed = query.get('scan');
  const recent = usePaged(fetchScans, []);
  const live = useLiveScan(followed, recent.reload);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // One key per visit: a double click or a retried start opens one scan.
  const startKey = useMemo(newIdempotencyKey, [followed]);

  const start = async () => {
    if (busy) {
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const scan = await startScan(startKey);
      navigate(withQuery('perception/scans', { scan: scan.id }), { replace: true });
    } catch (failure) {
      setError(failure);
      // Someone else's scan holds the slot: follow that one instead.
      const holder = (toApiError(failure).details as { runningScanId?: unknown } | undefined)?.runningScanId;
      if (typeof holder === 'string') {
        navigate(withQuery('perception/scans', { scan: holder }), { replace: true });
      }
    }
    setBusy(false);
  };
  const running = live.scan?.status === 'running';

  return (
    <main class="page">
      <PageHeader title="感知扫描">
        {me.role === 'admin' && (
          <button type="button" class="button button-primary" disabled={busy || running} onClick={() => void start()}>
            {busy ? '正在发起……' : running ? '扫描进行中' : '立即扫描'}
          </button>
        )}
      </PageHeader>
      <p class="muted">
        每日凌晨 2:30 自动扫描全部会员；管理员也可以在导入部门数据后立即扫描。全市同一时间只运行一次扫描，按批处理职工。
      </p>
      <ErrorBanner error={error} />
      {followed && !live.scan && !live.error && <Loading label="正在读取扫描进度……" />}
      <ErrorBanner error={live.error} />
      {live.scan && <LiveScan scan={live.scan} />}
      <section class="card" aria-labelledby="recent-title">
        <h2 id="recent-title">最近的扫描</h2>
        <ErrorBanner error={recent.error} onRetry={recent.reload} />
        {!recent.ready ? (
          <Loading label="正在读取扫描记录……" />
        ) : recent.items.length === 0 ? (
          <Empty>还没有扫描记录。</Empty>
        ) : (
          <table class="table table-cards" data-testid="scans-table">
            <thead>
              <tr>
                <th>开始</th>
                <th>方式</th>
                <th>状态</th>
                <th class="num">扫描职工</th>
                <th class="num">新增线索</th>
                <th class="num">更新 / 失效</th>
              </tr>
            </thead>
            <tbody>
              {recent.items.map((scan) => (
                <tr
                  key={scan.id}
                  class="row-link"
                  data-scan-id={scan.id}
                  onClick={() => navigate(withQuery('perception/scans', { scan: scan.id }), { replace: true })}
                >
                  <td data-label="开始">{shanghaiTime(scan.startedAt)}</td>
                  <td data-label="方式">{SCAN_TRIGGER_LABELS[scan.trigger] ?? scan.trigger}</td>
                  <td data-label="状态">
                    <Badge tone={statusTone(scan.status)}>{SCAN_STATUS_LABELS[scan.status] ?? scan.status}</Badge>
                    {scan.status === 'running' && ` ${Math.round(scan.progress * 100)}%`}
                  </td>
                  <td data-label="扫描职工" class="num">
                    {count(scan.counts.workersScanned)}
                  </td>
                  <td data-label="新增线索" class="num">
                    {count(scan.counts.leadsCreated)}
                  </td>
                  <td data-label="更新 / 失效" class="num">
                    {count(scan.counts.leadsUpdated)} / {count(scan.counts.leadsLapsed)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <MoreButton list={recent} />
      </section>
    </main>
  );
}
