import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';

export interface CaseEventDraft {
  caseId: string;
  seq: number;
  kind: string;
  fromStep: string;
  toStep: string;
  actorUserId?: string | null;
  actorUnitId?: string | null;
  holderUnitId?: string | null;
  data: Record<string, unknown>;
  occurredAt: number;
}

/**
 * Appends one event to a case's timeline, idempotent on (case, seq). Returns false when the event was already
 * there: the activity is a retry, and whatever else it writes was written by the first attempt.
 */
export async function appendCaseEvent(trx: Transaction<Database>, event: CaseEventDraft): Promise<boolean> {
  const inserted = await trx
    .insertInto('case_event')
    .values({
      case_id: event.caseId,
      seq: event.seq,
      kind: event.kind,
      from_step: event.fromStep,
      to_step: event.toStep,
      actor_user_id: event.actorUserId ?? null,
      actor_unit_id: event.actorUnitId ?? null,
      holder_unit_id: event.holderUnitId ?? null,
      data: JSON.stringify(event.data),
      occurred_at: new Date(event.occurredAt),
    })
    .onConflict((oc) => oc.columns(['case_id', 'seq']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}
