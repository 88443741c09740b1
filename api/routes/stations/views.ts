import type { NearbyRow, StationWithOpenNow } from '../../../db/repositories/station.repository.js';
import type { Inspection, InspectionEventRow } from '../../../db/tables/station.table.js';
import {
  INSPECTION_OUTCOME_LABELS,
  INSPECTION_STEP_LABELS,
  SERVICE_LABELS,
  STATION_STATUS_LABELS,
  STATION_TYPE_LABELS,
  type InspectionStep,
} from '../../../workflows/shared/station-vocabulary.js';
import { toShanghaiIso } from '../../time.js';

/** A station as staff see it in lists: the responsible person's phone masked. */
export function stationView(row: StationWithOpenNow) {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    typeLabel: STATION_TYPE_LABELS[row.type],
    status: row.status,
    statusLabel: STATION_STATUS_LABELS[row.status],
    latitude: row.latitude,
    longitude: row.longitude,
    address: row.address,
    services: row.services,
    hours: row.hours,
    openNow: row.open_now,
    ownerUnitId: row.owner_unit_id,
    responsiblePerson: { name: row.responsible_name, phone: row.responsible_phone_masked },
    notes: row.notes,
    createdAt: toShanghaiIso(row.created_at),
    updatedAt: toShanghaiIso(row.updated_at),
  };
}

/**
 * A station in the public lookup, as a GeoJSON Feature (coordinates are `[longitude, latitude]`). Public fields
 * only: nothing about the responsible person, the owning unit or internal notes.
 */
export function publicFeature(row: NearbyRow) {
  return {
    type: 'Feature' as const,
    id: row.id,
    geometry: { type: 'Point' as const, coordinates: [row.longitude, row.latitude] },
    properties: {
      name: row.name,
      type: row.type,
      typeLabel: STATION_TYPE_LABELS[row.type],
      status: row.status,
      statusLabel: STATION_STATUS_LABELS[row.status],
      address: row.address,
      services: row.services,
      serviceLabels: row.services.map((service) => SERVICE_LABELS[service]),
      hours: row.hours,
      open24h: row.type === '24h',
      openNow: row.open_now,
      distanceM: Math.round(row.distance_m),
    },
  };
}

const heldBy = (step: InspectionStep) => (step === 'rectify' ? 'station' : step === 'done' ? null : 'inspector');

/** An inspection as lists show it. Overdue is worked out when read, never stored. */
export function inspectionSummaryView(row: Inspection & { station_name: string }, now = Date.now()) {
  const dueMs = row.due_at?.getTime() ?? null;
  const overdue = row.status === 'open' && dueMs !== null && dueMs < now;
  return {
    id: row.id,
    stationId: row.station_id,
    stationName: row.station_name,
    stationType: row.station_type,
    ownerUnitId: row.owner_unit_id,
    period: row.period,
    kind: row.kind,
    status: row.status,
    step: row.step,
    stepLabel: INSPECTION_STEP_LABELS[row.step],
    heldBy: heldBy(row.step),
    outcome: row.outcome,
    outcomeLabel: row.outcome ? INSPECTION_OUTCOME_LABELS[row.outcome] : null,
    inspectorUserId: row.inspector_user_id,
    dueAt: toShanghaiIso(row.due_at),
    overdue,
    lateBySeconds: overdue && dueMs !== null ? Math.floor((now - dueMs) / 1000) : 0,
    escalationLevel: row.status === 'open' ? row.escalation_level : 0,
    firstScore: row.first_score,
    finalScore: row.final_score,
    passMark: row.pass_mark,
    excellentMark: row.excellent_mark,
    policyVersion: row.policy_version,
    openedAt: toShanghaiIso(row.opened_at),
    closedAt: toShanghaiIso(row.closed_at),
  };
}

/** The timeline line staff read for one event, in Chinese. */
export function describeInspectionEvent(event: InspectionEventRow): string {
  const d = event.data;
  switch (event.kind) {
    case 'opened':
      return d.kind === 'spot' ? '下达临时抽查任务' : `生成 ${String(d.period)} 期检查任务`;
    case 'submit':
      return d.verdict === 'failed'
        ? `检查得分 ${String(d.total)}，不合格，下达整改通知`
        : `检查得分 ${String(d.total)}，${d.verdict === 'excellent' ? '优秀，予以表彰' : '合格'}`;
    case 'rectify':
      return `报告整改情况：${String(d.report)}`;
    case 'reinspect':
      return d.verdict === 'failed'
        ? `复查得分 ${String(d.total)}，仍不合格，驿站暂停服务并报督办`
        : `复查得分 ${String(d.total)}，整改后合格`;
    case 'overdue':
      return `「${INSPECTION_STEP_LABELS[event.from_step as InspectionStep] ?? event.from_step}」已超时，报所属单位督办`;
    case 'escalation':
      return `超时未办，升级督办（第 ${String(d.level)} 级）`;
    default:
      return event.kind;
  }
}

export function inspectionView(
  row: Inspection & { station_name: string },
  events: InspectionEventRow[],
  rectificationReport: string | null,
  now = Date.now(),
) {
  return {
    ...inspectionSummaryView(row, now),
    checklist: row.checklist,
    scores: row.scores,
    reinspectionScores: row.reinspection_scores,
    rectification:
      row.rectification_due_at || row.rectified_at
        ? {
            dueAt: toShanghaiIso(row.rectification_due_at),
            reportedAt: toShanghaiIso(row.rectified_at),
            report: rectificationReport,
          }
        : null,
    timeline: events.map((event) => ({
      seq: event.seq,
      kind: event.kind,
      description: describeInspectionEvent(event),
      fromStep: event.from_step,
      toStep: event.to_step,
      actorUserId: event.actor_user_id,
      actorUnitId: event.actor_unit_id,
      occurredAt: toShanghaiIso(event.occurred_at),
      data: event.data,
    })),
  };
}
