import type { Query } from '../shared/api.js';
import { api, type Page } from './data.js';

/**
 * The console's calls for rest stations (越工驿站): the registry, inspections and the quarterly ranking. The words
 * for types, statuses, services, steps and outcomes come from the vocabulary the API and workflows share.
 */
export {
  INSPECTION_ACTION_LABELS,
  INSPECTION_OUTCOME_LABELS,
  INSPECTION_STEP_LABELS,
  SERVICE_LABELS,
  STATION_MANAGER_ROLES,
  STATION_READ_ROLES,
  STATION_SERVICES,
  STATION_STAFF_ROLES,
  STATION_STATUSES,
  STATION_STATUS_LABELS,
  STATION_TYPES,
  STATION_TYPE_LABELS,
  WEEKDAYS,
} from '../../../../workflows/shared/station-vocabulary.js';
export type {
  InspectionAction,
  StationService,
  StationStatus,
  StationType,
  Weekday,
} from '../../../../workflows/shared/station-vocabulary.js';

export interface OpeningInterval {
  opens: string;
  closes: string;
}

export type OpeningHours = Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', OpeningInterval[]> & {
  holiday?: OpeningInterval[];
};

export interface Station {
  id: string;
  name: string;
  type: string;
  typeLabel: string;
  status: string;
  statusLabel: string;
  latitude: number;
  longitude: number;
  address: string;
  services: string[];
  hours: OpeningHours;
  openNow: boolean;
  ownerUnitId: string;
  responsiblePerson: { name: string; phone: string };
  notes: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface StationDetail extends Station {
  activitiesHeld: number;
  activityParticipants: number;
  visitsTotal: number;
  commendations: number;
  latestInspection: { id: string; period: string; status: string; step: string; outcome: string | null } | null;
}

export interface InspectionSummary {
  id: string;
  stationId: string;
  stationName: string;
  stationType: string;
  ownerUnitId: string;
  period: string;
  kind: 'scheduled' | 'spot';
  status: 'open' | 'closed';
  step: 'inspect' | 'rectify' | 'reinspect' | 'done';
  stepLabel: string;
  heldBy: 'inspector' | 'station' | null;
  outcome: string | null;
  outcomeLabel: string | null;
  inspectorUserId: string | null;
  dueAt: string | null;
  overdue: boolean;
  lateBySeconds: number;
  escalationLevel: number;
  firstScore: number | null;
  finalScore: number | null;
  passMark: number;
  excellentMark: number;
  openedAt: string;
  closedAt: string | null;
}

export interface InspectionDetail extends InspectionSummary {
  checklist: { id: string; label: string; maxScore: number }[];
  scores: Record<string, number> | null;
  reinspectionScores: Record<string, number> | null;
  rectification: { dueAt: string | null; reportedAt: string | null; report: string | null } | null;
  timeline: { seq: number; kind: string; description: string; occurredAt: string; actorUnitId: string | null }[];
}

export interface StationFigures {
  rank: number;
  inspections: number;
  averageScore: number | null;
  commendations: number;
  failures: number;
  activities: number;
  participants: number;
  visits: number;
}

export interface StationReport {
  quarter: string;
  from: string;
  to: string;
  unitId: string;
  sortBy: string;
  totals: { stations: number; inspections: number; commendations: number; failures: number; visits: number };
  stations: (StationFigures & { stationId: string; name: string; type: string; ownerUnitId: string })[];
  units: (StationFigures & { unitId: string; name: string; stations: number })[];
}

export interface StationFilters {
  type?: string;
  status?: string;
  unitId?: string;
  service?: string;
}

/**
 * Every station of the caller's subtree that fits the filters, page by page (one request per 500).
 * Known limit: the map and list stop at 5,000 stations; the city has about a hundred.
 */
export async function fetchStations(filters: StationFilters): Promise<Station[]> {
  const stations: Station[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 10; page++) {
    const answer: Page<Station> = await api.get<Page<Station>>('/stations', { ...filters, limit: 500, cursor });
    stations.push(...answer.items);
    cursor = answer.nextCursor;
    if (!cursor) {
      break;
    }
  }
  return stations;
}

export const fetchStation = (id: string) => api.get<StationDetail>(`/stations/${encodeURIComponent(id)}`);

export const updateStation = (
  id: string,
  body: { services?: string[]; hours?: OpeningHours },
  idempotencyKey: string,
) => api.request<Station>('PATCH', `/stations/${encodeURIComponent(id)}`, { body, idempotencyKey });

export const fetchInspections = (query: Query) =>
  api.get<Page<InspectionSummary>>('/inspections', { limit: 100, ...query });

export const fetchInspection = (id: string) => api.get<InspectionDetail>(`/inspections/${encodeURIComponent(id)}`);

export const actOnInspection = (
  id: string,
  action: 'submit' | 'rectify' | 'reinspect',
  body: Record<string, unknown>,
  idempotencyKey: string,
) => api.post<InspectionDetail>(`/inspections/${encodeURIComponent(id)}/actions/${action}`, body, { idempotencyKey });

export const fetchStationReport = (quarter: string, unitId?: string) =>
  api.get<StationReport>('/reports/stations', { quarter, unitId, sortBy: 'score', limit: 500 });
