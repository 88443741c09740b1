/**
 * The one HTTP client of the console and the phone page: JSON in and out, the bearer token from sessionStorage,
 * and every failure turned into an `ApiError` whose message is what a person should read: the API's own
 * `error.message` as it words it, or a plain Chinese sentence when the network or a server in between failed.
 */

export interface FieldProblem {
  field: string;
  reason: string;
}

export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    /** HTTP status; 0 when no answer arrived. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** The field problems the API listed, if any. */
  get fields(): FieldProblem[] {
    return Array.isArray(this.details)
      ? (this.details as FieldProblem[]).filter((d) => d && typeof d.field === 'string')
      : [];
  }
}

export const NETWORK_MESSAGE = '无法连接服务器，请检查网络连接后重试';
export const TIMEOUT_MESSAGE = '服务器长时间没有应答。如刚才是提交操作，请先刷新页面查看是否已经生效，再决定是否重试';

/** A message for an answer that is not the API's error shape (a proxy's page, a crash before the API answered). */
export function messageForStatus(status: number): string {
  if (status >= 500) {
    return `服务器暂时无法处理请求（HTTP ${status}），请稍后重试；如持续出现，请联系系统管理员`;
  }
  if (status === 401) {
    return '请先登录，或登录已过期';
  }
  if (status === 403) {
    return '您没有权限进行此操作';
  }
  if (status === 404) {
    return '要找的内容不存在，或不在您的管辖范围内';
  }
  return `请求未被接受（HTTP ${status}）`;
}

/** Any thrown value as an ApiError, so every banner has a status, a code and a message. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) {
    return error;
  }
  if (error instanceof Error) {
    return new ApiError(0, 'CLIENT_ERROR', `页面出现错误：${error.message}`);
  }
  return new ApiError(0, 'CLIENT_ERROR', '页面出现未知错误');
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Sent as Idempotency-Key: a retried write with the same key acts once. */
  idempotencyKey?: string;
  timeoutMs?: number;
}

export interface ApiClientOptions {
  /** sessionStorage key of the bearer token. */
  tokenKey: string;
  /** Where the API lives; '' for the page's own origin. */
  baseUrl?: string;
  /** Called when an authenticated call answers 401: the session has ended. */
  onUnauthorized?: (error: ApiError) => void;
}

export interface ApiClient {
  token(): string | null;
  setToken(token: string | null): void;
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  get<T>(path: string, query?: Query): Promise<T>;
  post<T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>): Promise<T>;
  /** A body sent with upload progress (0 to 1) reported as it goes, for large files such as feed batches. */
  upload<T>(path: string, body: Blob | string, contentType: string, onProgress: (share: number) => void): Promise<T>;
}

export function queryString(query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** A fresh Idempotency-Key: one per form, reused when the same form is submitted again. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `ui-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function errorFromBody(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (error && typeof error.message === 'string' && typeof error.code === 'string') {
    return new ApiError(status, error.code, error.message, error.details);
  }
  return new ApiError(status, `HTTP_${status}`, messageForStatus(status));
}

function parse(text: string): unknown {
  if (!text) {
    return null;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl ?? '';
  const storage = (() => {
    try {
      return window.sessionStorage;
    } catch {
      return null;
    }
  })();
  let memoryToken: string | null = null;

  const token = () => storage?.getItem(options.tokenKey) ?? memoryToken;
  const setToken = (value: string | null) => {
    memoryToken = value;
    if (value === null) {
      storage?.removeItem(options.tokenKey);
    } else {
      storage?.setItem(options.tokenKey, value);
    }
  };

  /** A 401 to a call that carried a token means the session has ended: forget it and say so. */
  const ended = (error: ApiError, hadToken: boolean): ApiError => {
    if (error.status === 401 && hadToken) {
      setToken(null);
      options.onUnauthorized?.(error);
    }
    return error;
  };

  async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const bearer = token();
    if (bearer) {
      headers.authorization = `Bearer ${bearer}`;
    }
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    if (opts.idempotencyKey) {
      headers['idempotency-key'] = opts.idempotencyKey;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => controller.abort(), opts.timeoutMs ?? 30_000);
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${baseUrl}${path}${queryString(opts.query)}`, {
        method,
        headers,
        body: opts.body === undefined ? null : JSON.stringify(opts.body),
        signal: controller.signal,
        credentials: 'omit',
      });
      text = await response.text();
    } catch {
      throw new ApiError(
        0,
        controller.signal.aborted ? 'TIMEOUT' : 'NETWORK_ERROR',
        controller.signal.aborted ? TIMEOUT_MESSAGE : NETWORK_MESSAGE,
      );
    } finally {
      window.clearTimeout(timer);
    }
    const body = parse(text);
    if (!response.ok) {
      throw ended(errorFromBody(response.status, body), bearer !== null);
    }
    if (body === undefined) {
      throw new ApiError(response.status, 'BAD_ANSWER', `服务器的应答无法识别（HTTP ${response.status}），请稍后重试`);
    }
    return body as T;
  }

  function upload<T>(path: string, body: Blob | string, contentType: string, onProgress: (share: number) => void) {
    return new Promise<T>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      const bearer = token();
      xhr.open('POST', `${baseUrl}${path}`);
      xhr.setRequestHeader('content-type', contentType);
      xhr.setRequestHeader('accept', 'application/json');
      if (bearer) {
        xhr.setRequestHeader('authorization', `Bearer ${bearer}`);
      }
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable && event.total > 0) {
          onProgress(event.loaded / event.total);
        }
      };
      xhr.onerror = () => reject(new ApiError(0, 'NETWORK_ERROR', NETWORK_MESSAGE));
      xhr.ontimeout = () => reject(new ApiError(0, 'TIMEOUT', TIMEOUT_MESSAGE));
      xhr.onload = () => {
        const parsed = parse(xhr.responseText);
        if (xhr.status >= 200 && xhr.status < 300 && parsed !== undefined) {
          onProgress(1);
          resolve(parsed as T);
          return;
        }
        reject(ended(errorFromBody(xhr.status, parsed), bearer !== null));
      };
      xhr.send(body);
    });
  }

  return {
    token,
    setToken,
    request,
    get: <T>(path: string, query?: Query) => request<T>('GET', path, query ? { query } : {}),
    post: <T>(path: string, body?: unknown, opts: Omit<RequestOptions, 'body'> = {}) =>
      request<T>('POST', path, { ...opts, body: body ?? {} }),
    upload,
  };
}
