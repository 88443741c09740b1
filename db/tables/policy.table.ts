import type { ColumnType, Generated } from 'kysely';
import type { CalendarKind } from '../../workflows/shared/case-vocabulary.js';

export type StepLimits = Record<string, { duration: string; calendar: CalendarKind }>;

export interface TimeLimitPolicyTable {
  id: Generated<string>;
  category: string;
  urgency: string;
  version: number;
  limits: ColumnType<StepLimits, string, string>;
  max_suspension: string;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface HolidayCalendarTable {
  id: Generated<string>;
  year: number;
  holidays: ColumnType<string[], string[], string[]>;
  workdays: ColumnType<string[], string[], string[]>;
  revision: Generated<number>;
  updated_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
