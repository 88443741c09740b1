import { Component, type ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { toApiError, type ApiError } from './api.js';
import type { Tone } from './format.js';

/** The one error banner: the API's message as it words it, the field problems it listed, and an optional retry. */
export function ErrorBanner({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) {
    return null;
  }
  const apiError = toApiError(error);
  const fields = apiError.fields;
  return (
    <div class="banner banner-error" role="alert" data-code={apiError.code}>
      <p class="banner-message">{apiError.message}</p>
      {fields.length > 1 && (
        <ul class="banner-fields">
          {fields.map((f) => (
            <li key={f.field}>
              {f.field}：{f.reason}
            </li>
          ))}
        </ul>
      )}
      {onRetry && (
        <button type="button" class="button button-small" onClick={onRetry}>
          重试
        </button>
      )}
    </div>
  );
}

export function Notice({
  children,
  tone = 'info',
}: {
  children: ComponentChildren;
  tone?: 'info' | 'success' | 'warn';
}) {
  return (
    <div class={`banner banner-${tone}`} role="status">
      {children}
    </div>
  );
}

export function Loading({ label = '正在加载……' }: { label?: string }) {
  return (
    <div class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function Badge({ tone = 'none', children }: { tone?: Tone | 'info'; children: ComponentChildren }) {
  return <span class={`badge badge-${tone}`}>{children}</span>;
}

/** A determinate progress bar for long work (an upload, a scan), with its share in words. */
export function ProgressBar({ share, label }: { share: number; label: string }) {
  const percent = Math.round(Math.min(1, Math.max(0, share)) * 100);
  return (
    <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
      <div class="progress-track">
        <div class="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span class="progress-label">
        {label} {percent}%
      </span>
    </div>
  );
}

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
  /** Replaces the data without a round trip (an action answered with the new state). */
  set: (data: T) => void;
}

/** Loads data for a page and reloads when `key` changes; a late answer for an old key is dropped. */
export function useResource<T>(load: () => Promise<T>, key: unknown[]): Resource<T> {
  const [state, setState] = useState<{ data: T | undefined; error: ApiError | null; loading: boolean }>({
    data: undefined,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const ticket = ++latest.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => ticket === latest.current && setState({ data, error: null, loading: false }),
      (error: unknown) =>
        ticket === latest.current && setState((s) => ({ ...s, error: toApiError(error), loading: false })),
    );
  }, [...key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const set = useCallback((data: T) => setState({ data, error: null, loading: false }), []);
  return { ...state, reload, set };
}

/** What a page shows while its data is missing: the spinner, or the error with a retry; never an empty screen. */
export function Pending({
  resource,
  label,
}: {
  resource: Pick<Resource<unknown>, 'error' | 'reload'>;
  label?: string;
}) {
  if (resource.error) {
    return <ErrorBanner error={resource.error} onRetry={resource.reload} />;
  }
  return <Loading {...(label ? { label } : {})} />;
}

/** Catches a rendering error anywhere below and shows what happened with a way back, instead of a blank page. */
export class ErrorBoundary extends Component<{ children: ComponentChildren; resetKey?: string }, { error: unknown }> {
  override state = { error: null as unknown };

  static override getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override componentDidUpdate(previous: { resetKey?: string }) {
    if (this.state.error && previous.resetKey !== this.props.resetKey) {
      this.setState({ error: null });
    }
  }

  override render() {
    if (this.state.error) {
      return (
        <div class="crash" role="alert">
          <h2>页面出错了</h2>
          <p>这一页没能显示出来。已办理的事项不受影响，可以返回上一页或刷新后重试。</p>
          <ErrorBanner error={this.state.error} />
          <p>
            <button type="button" class="button" onClick={() => window.location.reload()}>
              刷新页面
            </button>{' '}
            <button type="button" class="button button-quiet" onClick={() => window.history.back()}>
              返回上一页
            </button>
          </p>
        </div>
      );
    }
    return this.props.children;
  }
}

export interface Paged<T> {
  items: T[];
  /** The first page has arrived (or failed). */
  ready: boolean;
  error: ApiError | null;
  loading: boolean;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

/** A cursor-paged list (`{ items, nextCursor }`): the first page on `key`, more pages on demand. */
export function usePaged<T>(
  load: (cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>,
  key: unknown[],
): Paged<T> {
  const [state, setState] = useState<{
    items: T[];
    cursor: string | null;
    ready: boolean;
    error: ApiError | null;
    loading: boolean;
  }>({
    items: [],
    cursor: null,
    ready: false,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  const fetchPage = (cursor: string | null, append: boolean) => {
    const ticket = append ? latest.current : ++latest.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    load(cursor).then(
      (page) =>
        ticket === latest.current &&
        setState((s) => ({
          items: append ? [...s.items, ...page.items] : page.items,
          cursor: page.nextCursor,
          ready: true,
          error: null,
          loading: false,
        })),
      (error: unknown) =>
        ticket === latest.current && setState((s) => ({ ...s, ready: true, error: toApiError(error), loading: false })),
    );
  };
  useEffect(() => fetchPage(null, false), [...key, tick]);
  return {
    items: state.items,
    ready: state.ready,
    error: state.error,
    loading: state.loading,
    hasMore: state.cursor !== null,
    loadMore: () => state.cursor && fetchPage(state.cursor, true),
    reload: () => setTick((t) => t + 1),
  };
}

/** "加载更多" under a paged list, and the error of a failed further page. */
export function MoreButton({ list }: { list: Paged<unknown> }) {
  if (!list.hasMore) {
    return null;
  }
  return (
    <p class="center">
      <button type="button" class="button" onClick={list.loadMore} disabled={list.loading}>
        {list.loading ? '正在加载……' : '加载更多'}
      </button>
    </p>
  );
}
