import type { ScheduleSpec } from '@temporalio/client';
import {
  DEFAULT_INSPECTION_RHYTHMS,
  STATION_TYPES,
  type CalendarRhythm,
  type StationType,
} from '../workflows/shared/station-vocabulary.js';
import type { InspectionRoundInput } from '../workflows/station-inspection/inspection-round.workflow.js';
import type { ScheduleDefinition } from './schedules.js';

/** The stable id of a station type's inspection schedule. */
export const inspectionScheduleId = (stationType: StationType): string => `station-inspection-round-${stationType}`;

type Month = 'JANUARY' | 'APRIL' | 'JULY' | 'OCTOBER';

const MONTHS: Record<Exclude<CalendarRhythm, 'monthly'>, Month[]> = {
  quarterly: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'],
  half_yearly: ['JANUARY', 'JULY'],
  yearly: ['JANUARY'],
};

/**
 * When a rhythm's rounds run: 09:00 Shanghai time on the first day of each period. Written in UTC (01:00), which
 * falls on the same date, so the schedule needs no time-zone database on the Temporal server.
 */
export function rhythmSpec(rhythm: CalendarRhythm): ScheduleSpec {
  const at = { dayOfMonth: 1, hour: 1, minute: 0 };
  return {
    calendars: [
      rhythm === 'monthly'
        ? { ...at, comment: '每月 1 日 09:00（北京时间）' }
        : { ...at, month: MONTHS[rhythm], comment: `${rhythm}: 每期首日 09:00（北京时间）` },
    ],
  };
}

/** One schedule per station type, each starting an inspection round of every station of the type in the city. */
export function inspectionScheduleDefinitions(
  rhythms: Record<StationType, CalendarRhythm> = DEFAULT_INSPECTION_RHYTHMS,
): ScheduleDefinition[] {
  return STATION_TYPES.map((stationType) => {
    const input: InspectionRoundInput = { stationType, rhythm: rhythms[stationType] };
    return {
      scheduleId: inspectionScheduleId(stationType),
      workflowType: 'inspectionRoundWorkflow',
      workflowId: `inspection-round-${stationType}`,
      args: [input],
      spec: rhythmSpec(rhythms[stationType]),
      note: `Rest station inspections: a ${rhythms[stationType]} round of every ${stationType} station`,
    };
  });
}
