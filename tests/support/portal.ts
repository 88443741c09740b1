import { randomBytes, randomInt } from 'node:crypto';
import { expect } from 'vitest';
import type { SmsSender } from '../../api/routes/portal/sms-sender.js';
import type { Db } from '../../db/database.js';
import { withCheckDigit } from '../../db/personal-data.js';
import type { FeedKind } from '../../db/tables/feed.table.js';
import { randomPhone, uniqueSuffix } from './api-fixtures.js';
import type { Harness } from './harness.js';

/** Catches the portal's text messages instead of sending them; can be told to fail the next one. */
export class CapturingSmsSender implements SmsSender {
  readonly sent: { phone: string; text: string }[] = [];
  private failures = 0;

  async send(phone: string, text: string): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('SMS gateway refused the message (test)');
    }
    this.sent.push({ phone, text });
  }

  failNext(times = 1): void {
    this.failures += times;
  }

  messagesTo(phone: string): string[] {
    return this.sent.filter((message) => message.phone === phone).map((message) => message.text);
  }

  /** The code of the newest message to the phone. */
  lastCode(phone: string): string {
    const text = this.messagesTo(phone).at(-1);
    const code = text ? /验证码为 (\d{6})/.exec(text)?.[1] : undefined;
    if (!code) {
      throw new Error(`No sign-in code was sent to ${phone}`);
    }
    return code;
  }
}

/** A private client address (the API sees it as `request.ip`), so rate limits of one test do not touch another's. */
export const randomAddress = (): string => `10.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

/** A fictional valid ID-card number with the given gender and birth date (a random one from 1970-1999 when unset). */
export function idNumberFor({
  region = '330603',
  birthDate = new Date(Date.UTC(1970, 0, 1) + randomInt(0, 30 * 365) * 86_400_000).toISOString().slice(0, 10),
  gender,
}: {
  region?: string;
  birthDate?: string;
  gender: 'female' | 'male';
}): string {
  // The order code's last digit is odd for men and even for women (GB 11643).
  const order = String(randomInt(0, 500) * 2 + (gender === 'male' ? 1 : 0)).padStart(3, '0');
  return withCheckDigit(`${region}${birthDate.replaceAll('-', '')}${order}`);
}

/** A birth date on which someone is exactly `age` full years old today (their birthday was 40 days ago). */
export function birthDateForAge(age: number): string {
  const day = new Date(Date.now() + 8 * 3600_000 - 40 * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day.getUTCFullYear() - age}-${pad(day.getUTCMonth() + 1)}-${pad(Math.min(day.getUTCDate(), 28))}`;
}

export interface PortalMember {
  id: string;
  name: string;
  phone: string;
  unitId: string;
  householdId: string;
}

/** Registers a worker through POST /workers as staff, with a known phone, and returns them. */
export async function registerMember(
  h: Harness,
  staffToken: string,
  {
    unitId,
    hardshipStatus = 'none',
    birthDate,
    gender = 'female',
    name = `测试职工${uniqueSuffix(2)}`,
    phone = randomPhone(),
    region,
  }: {
    unitId: string;
    hardshipStatus?: 'none' | 'borderline' | 'registered';
    birthDate?: string;
    gender?: 'female' | 'male';
    name?: string;
    phone?: string;
    region?: string;
  },
): Promise<PortalMember> {
  const response = await h.request('POST', '/workers', {
    token: staffToken,
    body: {
      name,
      idNumber: idNumberFor({ gender, ...(birthDate ? { birthDate } : {}), ...(region ? { region } : {}) }),
      phone,
      unitId,
      hardshipStatus,
    },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return { id: response.body.id, name, phone, unitId, householdId: response.body.householdId };
}

/** Requests a code for the phone, reads it from the captured message and signs in; returns the worker token. */
export async function signInMember(
  h: Harness,
  sms: CapturingSmsSender,
  phone: string,
  remoteAddress = randomAddress(),
): Promise<string> {
  const requested = await h.request('POST', '/portal/auth/code', { body: { phone }, remoteAddress });
  expect(requested.status, JSON.stringify(requested.body)).toBe(202);
  const login = await h.request('POST', '/portal/auth/login', {
    body: { phone, code: sms.lastCode(phone) },
    remoteAddress,
  });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  return login.body.token as string;
}

export interface FeedRowInput {
  workerId: string;
  kind: FeedKind;
  occurredOn: string;
  department: string;
  amountFen?: number | null;
  detail?: Record<string, unknown>;
}

/**
 * Stores department rows about a worker directly: one feed_batch and its feed_rows, matched to the worker by the
 * keyed hash of their ID-card number, as the feed importer would store them.
 * Stand-in until the feed importer (POST /feeds/:kind/batches) lands: then upload an NDJSON batch through it.
 */
export async function insertFeedRows(db: Db, rows: readonly FeedRowInput[]): Promise<string[]> {
  const first = rows[0];
  if (!first) {
    return [];
  }
  const batch = await db
    .insertInto('feed_batch')
    .values({
      kind: first.kind,
      content_hash: randomBytes(32).toString('hex'),
      format: 'ndjson',
      accepted: rows.length,
      rejected: 0,
      errors: '[]',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const ids: string[] = [];
  for (const row of rows) {
    const worker = await db
      .selectFrom('worker')
      .select('id_number_hash')
      .where('id', '=', row.workerId)
      .executeTakeFirstOrThrow();
    const inserted = await db
      .insertInto('feed_row')
      .values({
        kind: row.kind,
        row_key: randomBytes(16).toString('hex'),
        batch_id: batch.id,
        id_number_hash: worker.id_number_hash,
        worker_id: row.workerId,
        occurred_on: row.occurredOn,
        amount_fen: row.amountFen ?? null,
        department: row.department,
        detail: JSON.stringify(row.detail ?? {}),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.push(inserted.id);
  }
  return ids;
}

/** Help another department gave the worker, as its feed would report it (`department_help`). */
export const departmentHelp = (
  workerId: string,
  help: {
    occurredOn: string;
    department: string;
    helpType: 'cash' | 'goods' | 'service';
    title: string;
    amountFen?: number | null;
  },
): FeedRowInput => ({
  workerId,
  kind: 'department_help',
  occurredOn: help.occurredOn,
  department: help.department,
  amountFen: help.amountFen ?? null,
  detail: { helpType: help.helpType, title: help.title },
});
