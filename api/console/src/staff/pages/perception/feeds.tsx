import { useState } from 'preact/hooks';
import { count } from '../../../shared/format.js';
import { navigate, withQuery } from '../../../shared/router.js';
import { ErrorBanner, Notice, Pending, ProgressBar, useResource } from '../../../shared/ui.js';
import { PageHeader, StatCard } from '../../components.js';
import {
  feedContentType,
  fetchFeedKinds,
  uploadFeed,
  type FeedBatchResult,
  type FeedKind,
} from '../../data-perception.js';

type Upload =
  | { state: 'idle' }
  | { state: 'sending'; share: number }
  | { state: 'done'; result: FeedBatchResult; fileName: string }
  | { state: 'failed'; error: unknown };

function Columns({ kind }: { kind: FeedKind }) {
  const labels = new Map(kind.detail.map((field) => [field.key, field.label]));
  const common: Record<string, string> = {
    idNumber: '身份证号',
    occurredOn: '发生日期（YYYY-MM-DD）',
    department: '报送部门',
    amountFen: kind.amount.label ?? '金额（分）',
  };
  return (
    <ul class="items" data-testid="feed-columns">
      {kind.columns.map((column) => (
        <li key={column.key}>
          <span class="mono">{column.key}</span> {common[column.key] ?? labels.get(column.key) ?? ''}
          {column.required ? '（必填）' : '（选填）'}
        </li>
      ))}
    </ul>
  );
}

function Result({ result, fileName }: { result: FeedBatchResult; fileName: string }) {
  return (
    <section class="card" aria-labelledby="result-title" data-testid="feed-result">
      <h2 id="result-title">导入结果：{fileName}</h2>
      {result.duplicateBatch && (
        <Notice tone="warn">这份文件此前已上传过，本次没有保存任何数据；以下是首次上传的结果。</Notice>
      )}
      <div class="stats">
        <StatCard label="通过校验" value={count(result.accepted)} tone="ok" />
        <StatCard label="未通过" value={count(result.rejected)} {...(result.rejected ? { tone: 'late' } : {})} />
        <StatCard label="新保存" value={count(result.stored)} />
        <StatCard label="重复（已有）" value={count(result.duplicates)} />
      </div>
      {result.errors.length > 0 && (
        <>
          <h3>未通过的行</h3>
          {result.errorsTruncated && (
            <p class="muted small">
              共 {count(result.errorCount)} 处问题，以下列出前 {count(result.errors.length)} 处。
            </p>
          )}
          <table class="table table-cards" data-testid="feed-errors">
            <thead>
              <tr>
                <th class="num">行号</th>
                <th>字段</th>
                <th>问题</th>
              </tr>
            </thead>
            <tbody>
              {result.errors.map((error, i) => (
                <tr key={i}>
                  <td data-label="行号" class="num">
                    {error.line}
                  </td>
                  <td data-label="字段" class="mono">
                    {error.field}
                  </td>
                  <td data-label="问题">{error.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/**
 * Department data import (数据导入, for admins): pick a kind (GET /feeds names its columns), pick an NDJSON or CSV
 * file, upload it with its progress shown (POST /feeds/:kind/batches), then read the counts and each bad row's
 * line, field and reason. A batch keeps its good rows; the same file again stores nothing.
 */
export function FeedsPage({ query }: { query: URLSearchParams }) {
  const kinds = useResource(fetchFeedKinds, []);
  const [file, setFile] = useState<File | null>(null);
  const [charset, setCharset] = useState('utf-8');
  const [upload, setUpload] = useState<Upload>({ state: 'idle' });

  if (!kinds.data) {
    return (
      <main class="page">
        <PageHeader title="部门数据导入" />
        <Pending resource={kinds} label="正在读取数据种类……" />
      </main>
    );
  }
  const items = kinds.data.items;
  const kind = items.find((k) => k.kind === query.get('kind')) ?? items[0];
  const isCsv = file !== null && feedContentType(file, charset).startsWith('text/csv');

  const send = async (event: Event) => {
    event.preventDefault();
    if (!file || !kind || upload.state === 'sending') {
      return;
    }
    setUpload({ state: 'sending', share: 0 });
    try {
      const result = await uploadFeed(kind.kind, file, feedContentType(file, charset), (share) =>
        setUpload({ state: 'sending', share }),
      );
      setUpload({ state: 'done', result, fileName: file.name });
    } catch (error) {
      setUpload({ state: 'failed', error });
    }
  };

  return (
    <main class="page">
      <PageHeader title="部门数据导入" />
      <p class="muted">
        上传医保、民政、人社等部门报送的数据，每行一条记录：NDJSON（每行一个 JSON 对象，UTF-8）或 CSV（首行为列名，UTF-8
        或 GBK）。数据按身份证号与会员匹配，身份证号只保存其密钥散列。
      </p>
      <form class="card" onSubmit={(event) => void send(event)} aria-label="上传部门数据">
        <label class="field">
          <span>数据种类</span>
          <select
            name="kind"
            value={kind?.kind ?? ''}
            onChange={(e) =>
              navigate(withQuery('perception/feeds', { kind: e.currentTarget.value }), { replace: true })
            }
          >
            {items.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        {kind && (
          <details>
            <summary>该种类的列（{kind.columns.length} 列）</summary>
            <Columns kind={kind} />
          </details>
        )}
        <label class="field">
          <span>文件（.ndjson、.jsonl 或 .csv）</span>
          <input
            type="file"
            name="file"
            accept=".ndjson,.jsonl,.json,.csv,application/x-ndjson,text/csv"
            onChange={(e) => {
              setFile(e.currentTarget.files?.[0] ?? null);
              setUpload({ state: 'idle' });
            }}
          />
        </label>
        {isCsv && (
          <label class="field field-inline">
            <span>CSV 编码</span>
            <select value={charset} onChange={(e) => setCharset(e.currentTarget.value)}>
              <option value="utf-8">UTF-8</option>
              <option value="gbk">GBK</option>
              <option value="gb18030">GB18030</option>
            </select>
          </label>
        )}
        <div class="form-buttons">
          <button type="submit" class="button button-primary" disabled={!file || upload.state === 'sending'}>
            {upload.state === 'sending' ? '正在上传……' : '上传并导入'}
          </button>
        </div>
        {upload.state === 'sending' && (
          <ProgressBar
            share={upload.share}
            label={upload.share < 1 ? `正在上传 ${file?.name ?? ''}` : '已上传，正在逐行校验并保存'}
          />
        )}
        {upload.state === 'failed' && <ErrorBanner error={upload.error} />}
      </form>
      {upload.state === 'done' && <Result result={upload.result} fileName={upload.fileName} />}
    </main>
  );
}
