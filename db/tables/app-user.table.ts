import type { Generated, Selectable } from 'kysely';
import type { StaffRole } from '../../workflows/shared/case-vocabulary.js';

export interface AppUserTable {
  id: Generated<string>;
  username: string;
  password_hash: string;
  name: string;
  role: StaffRole;
  unit_id: string;
  created_by: string | null;
  disabled_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type AppUser = Selectable<AppUserTable>;
