import { createApiClient } from '../shared/api.js';

/**
 * The phone page's calls, against the worker portal paths fixed in the API contract (POST /portal/auth/code,
 * /portal/auth/login, /portal/applications; GET /portal/cases, /portal/cases/:id, /portal/records,
 * /portal/policies, /portal/warm-list; GET /public/stations/nearby). Answers beyond the contract's field names
 * are read defensively: a missing field shows as "—", never as a crash.
 */

export const PHONE_UNAUTHORIZED_EVENT = 'yue:phone-unauthorized';

export const api = createApiClient({
  tokenKey: 'yue-worker-token',
  onUnauthorized: (error) => window.dispatchEvent(new CustomEvent(PHONE_UNAUTHORIZED_EVENT, { detail: error.message })),
});

export type Loose = Record<string, unknown>;

export interface Listing {
  items: Loose[];
  nextCursor?: string | null;
}

/** Any list answer as its items: `{ items }`, a bare array, or nothing. */
export const itemsOf = (answer: unknown): Loose[] =>
  Array.isArray(answer)
    ? (answer as Loose[])
    : Array.isArray((answer as Listing | null)?.items)
      ? (answer as Listing).items
      : [];

export const requestCode = (phone: string) => api.post<Loose>('/portal/auth/code', { phone });
export const signIn = (phone: string, code: string) =>
  api.post<{ token: string }>('/portal/auth/login', { phone, code });
export const apply = (body: { category: string; description: string; urgency?: string }, idempotencyKey: string) =>
  api.post<Loose>('/portal/applications', body, { idempotencyKey });
export const fetchMyCases = () => api.get<unknown>('/portal/cases');
export const fetchMyCase = (id: string) => api.get<Loose>(`/portal/cases/${encodeURIComponent(id)}`);
export const fetchRecords = () => api.get<Loose>('/portal/records');
export const fetchPolicies = () => api.get<unknown>('/portal/policies');
export const fetchWarmList = () => api.get<unknown>('/portal/warm-list');

export interface StationFeature {
  type: 'Feature';
  geometry: { type: 'Point'; coordinates: [number, number] } | null;
  properties: Loose;
}

export const fetchNearbyStations = (query: {
  lat: number;
  lng: number;
  radiusM: number;
  service?: string;
  openNow?: boolean;
}) => api.get<{ type: 'FeatureCollection'; features: StationFeature[] }>('/public/stations/nearby', query);

/** A field of a loosely known answer as text for display. */
export function text(value: unknown): string {
  if (value === null || value === undefined || value === '') {
    return '—';
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return JSON.stringify(value);
}
