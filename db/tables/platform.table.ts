import type { ColumnType, Generated } from 'kysely';

type Json = ColumnType<Record<string, unknown>, string, string>;

export interface NotificationTable {
  id: Generated<string>;
  user_id: string;
  unit_id: string;
  case_id: string | null;
  kind: string;
  title: string;
  data: Json;
  dedupe_key: string;
  deliver_at: Date;
  read_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface AuditLogTable {
  id: Generated<string>;
  occurred_at: Generated<Date>;
  actor_kind: 'staff' | 'worker' | 'anonymous' | 'system';
  actor_user_id: string | null;
  /** The worker, for what a worker did in the portal (`actor_kind = 'worker'`). */
  actor_worker_id: Generated<string | null>;
  actor_unit_path: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: 'ok' | 'denied' | 'rejected' | 'error';
  status_code: number;
  ip: string | null;
  request_id: string | null;
  details: Json;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface IdempotencyRecordTable {
  id: Generated<string>;
  owner: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  state: 'in_progress' | 'done';
  response_status: number | null;
  /** The first answer's body exactly as sent, so a repeat is byte for byte the same. */
  response_body: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
