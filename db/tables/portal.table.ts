import type { ColumnType, Generated, Selectable } from 'kysely';

/**
 * A one-time sign-in code sent to a phone. Only a keyed hash of the code is stored; `phone_hash` is the phone's
 * lookup hash (the same as `worker.phone_hash`). A code is also recorded, and never sent, for a phone no worker
 * has, so that answers and rate limits do not tell which phones belong to members.
 */
export interface PortalLoginCodeTable {
  id: string;
  phone_hash: string;
  code_hash: string;
  requested_ip: string;
  /** True once the SMS sender accepted the message. */
  delivered: Generated<boolean>;
  expires_at: Date;
  /** Wrong codes tried against this code; it is locked at the configured maximum. */
  attempts: Generated<number>;
  consumed_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** One attempt to sign in with a code, for the per-address throttle. */
export interface PortalLoginAttemptTable {
  id: Generated<string>;
  phone_hash: string;
  ip: string;
  succeeded: boolean;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/**
 * One assistance policy of the portal's policy list. `conditions` holds `PolicyCondition[]`
 * (api/routes/portal/eligibility.ts), checked by the API before it is written.
 */
export interface AssistancePolicyTable {
  id: Generated<string>;
  /** Stable short name, unique (`city-hardship-living`). */
  code: string;
  title: string;
  summary: string;
  conditions: ColumnType<unknown[], string, string>;
  contact: string;
  valid_from: string;
  valid_to: string | null;
  active: Generated<boolean>;
  revision: Generated<number>;
  created_by: string | null;
  updated_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type PortalLoginCode = Selectable<PortalLoginCodeTable>;
export type AssistancePolicy = Selectable<AssistancePolicyTable>;
