import { sql } from 'kysely';
import { expect } from 'vitest';
import { seedId } from '../../seeds/ids.js';
import type { Db } from '../../db/database.js';
import type { Harness, HarnessResponse } from './harness.js';

/*
 * Rest stations through the API. Test files share one database and run side by side, so each file owns the
 * stations it creates: they belong to a grassroots union no other file uses (the seeded stations belong to
 * districts and townships), and each file that reads the public lookup works at a spot of the map no seeded
 * station is near. The owner of each file is written at its top.
 */

/** The id of a seeded org unit by its handle (`keqiao_t1_g1`). */
export const unitId = (handle: string): string => seedId(`unit:${handle}`);

export const weekHours = (opens = '08:00', closes = '20:00') => {
  const day = [{ opens, closes }];
  return { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day };
};

export interface StationBody {
  name: string;
  type: 'standard' | 'benchmark' | '24h';
  status?: string;
  latitude: number;
  longitude: number;
  address: string;
  services: string[];
  hours?: unknown;
  responsiblePerson: { name: string; phone: string };
  ownerUnitId: string;
  notes?: string;
}

export const stationBody = (ownerUnitId: string, overrides: Partial<StationBody> = {}): StationBody => ({
  name: '测试越工驿站',
  type: 'standard',
  status: 'open',
  latitude: 29.9,
  longitude: 120.6,
  address: '越城区测试路 1 号',
  services: ['water', 'charging', 'rest_seats'],
  hours: weekHours(),
  responsiblePerson: { name: '测试负责人', phone: '13900001111' },
  ownerUnitId,
  ...overrides,
});

export interface StationView {
  id: string;
  name: string;
  type: string;
  status: string;
  openNow: boolean;
  ownerUnitId: string;
  services: string[];
  hours: Record<string, unknown>;
  responsiblePerson: { name: string; phone: string };
  [field: string]: unknown;
}

export async function createStation(h: Harness, token: string, body: StationBody): Promise<StationView> {
  const response = await h.request<StationView>('POST', '/stations', { token, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

export interface InspectionView {
  id: string;
  stationId: string;
  period: string;
  kind: string;
  status: string;
  step: string;
  outcome: string | null;
  inspectorUserId: string | null;
  dueAt: string | null;
  escalationLevel: number;
  firstScore: number | null;
  finalScore: number | null;
  checklist: { id: string; label: string; maxScore: number }[];
  timeline: {
    seq: number;
    kind: string;
    fromStep: string;
    toStep: string;
    data: Record<string, any>;
    description: string;
  }[];
  [field: string]: unknown;
}

/** Orders a spot inspection of the station (POST /inspections), expecting 201. */
export async function spotInspection(h: Harness, token: string, stationId: string): Promise<InspectionView> {
  const response = await h.request<InspectionView>('POST', '/inspections', { token, body: { stationId } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

export async function inspectionAction(
  h: Harness,
  token: string,
  inspectionId: string,
  action: 'submit' | 'rectify' | 'reinspect',
  body: Record<string, unknown>,
): Promise<HarnessResponse> {
  return h.request('POST', `/inspections/${inspectionId}/actions/${action}`, { token, body });
}

/** Scores for the default checklist that add up to `total` (0..100), filled item by item. */
export function scoresTotalling(checklist: { id: string; maxScore: number }[], total: number): Record<string, number> {
  let left = total;
  return Object.fromEntries(
    checklist.map((item) => {
      const points = Math.min(item.maxScore, left);
      left -= points;
      return [item.id, points];
    }),
  );
}

/**
 * Row counts and checksums of what a station request could write under one owning unit (its stations, their
 * activities, visits and inspection events), for "a refused request changes nothing". Scoped to the unit because
 * other files write their own stations at the same time.
 */
export async function stationStore(db: Db, ownerUnitId: string) {
  const stations = sql`(select s.id from station s join org_unit o on o.id = ${ownerUnitId}::uuid
    where s.owner_unit_path like o.path || '%')`;
  const { rows } = await sql<Record<string, number | string | null>>`
    select (select count(*)::int from station where id in ${stations}) as stations,
           (select md5(string_agg(id::text || updated_at::text, ',' order by id)) from station
             where id in ${stations}) as "stationChecksum",
           (select count(*)::int from station_activity where station_id in ${stations}) as activities,
           (select count(*)::int from station_visit where station_id in ${stations}) as visits,
           (select md5(string_agg(id::text || visitors, ',' order by id)) from station_visit
             where station_id in ${stations}) as "visitChecksum",
           (select count(*)::int from inspection_event e join inspection i on i.id = e.inspection_id
             where i.station_id in ${stations}) as "inspectionEvents"`.execute(db);
  return rows[0]!;
}
