import type { Generated, Selectable } from 'kysely';

export type HardshipStatus = 'none' | 'borderline' | 'registered';

export interface HouseholdTable {
  id: Generated<string>;
  unit_id: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A union member. The ID-card number and phone are stored encrypted, with keyed hashes for lookup. */
export interface WorkerTable {
  id: Generated<string>;
  household_id: string;
  unit_id: string;
  name: string;
  id_number_enc: string;
  id_number_hash: string;
  id_number_masked: string;
  phone_enc: string;
  phone_hash: string;
  phone_masked: string;
  birth_date: string;
  gender: 'female' | 'male';
  hardship_status: HardshipStatus;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type Worker = Selectable<WorkerTable>;
