import type { Generated, Selectable } from 'kysely';
import type { UnitLevel } from '../../workflows/shared/case-vocabulary.js';

export interface OrgUnitTable {
  id: Generated<string>;
  parent_id: string | null;
  level: UnitLevel;
  name: string;
  /** Ids from the city down to this unit: `/<city>/<district>/.../<self>/`. */
  path: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type OrgUnit = Selectable<OrgUnitTable>;
