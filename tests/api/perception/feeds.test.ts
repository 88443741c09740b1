import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_REPORTED_ERRORS } from '../../../api/routes/feeds/importer.js';
import {
  ADMIN_PASSWORD,
  createStaff,
  expectError,
  randomIdNumber,
  registerWorker,
  signIn,
  type Session,
} from '../../support/api-fixtures.js';
import { createHarness, type Harness } from '../../support/harness.js';
import { batchCount, daysAgo, feedRowsOf, httpUpload, idHash, ndjson, upload } from '../../support/perception.js';
import { waitFor } from '../../support/wait.js';

/**
 * Issue 6, point 1 and 2 with "Bad input and faults": department feeds in, row by row, idempotent, streamed; rows
 * matched to workers by the keyed hash of the ID-card number, now or when the worker appears. This file scans
 * nothing and changes no rule, so it runs beside the scan tests.
 */

/** Large enough that a batch over it has had a chunk of rows (5,000) inserted before the limit is hit. */
const LIMIT = 2 * 1024 * 1024;

let h: Harness;
let admin: Session;
let districtAdmin: Session;
let cityUnitId: string;
let grassrootsUnitId: string;

/** Uploading changes nothing: no batch by this admin and no row for these people. */
async function expectNothingStored(idNumbers: string[], send: () => Promise<void>): Promise<void> {
  const before = { batches: await batchCount(h.db, admin.id), rows: (await feedRowsOf(h, idNumbers)).length };
  await send();
  expect({ batches: await batchCount(h.db, admin.id), rows: (await feedRowsOf(h, idNumbers)).length }).toEqual(before);
}

const medical = (idNumber: string, overrides: Record<string, unknown> = {}) => ({
  idNumber,
  occurredOn: daysAgo(30),
  department: '绍兴市医疗保障局',
  amountFen: 1_250_000,
  totalFen: 4_000_000,
  inpatient: true,
  ...overrides,
});

beforeAll(async () => {
  h = await createHarness({ env: { FEED_BODY_LIMIT_BYTES: String(LIMIT) } });
  const cityAdmin = await signIn(h, 'admin', ADMIN_PASSWORD);
  cityUnitId = cityAdmin.unitId;
  admin = await createStaff(h, cityAdmin.token, { unitId: cityUnitId, role: 'admin', prefix: 'feed' });
  const district = await signIn(h, 'keqiao_admin');
  districtAdmin = district;
  const units = await h.request('GET', '/org-units?limit=500', { token: cityAdmin.token });
  grassrootsUnitId = units.body.items.find((u: { level: string }) => u.level === 'grassroots').id;
});

afterAll(async () => {
  await h?.close();
});

/** Heap bytes still reachable after a full collection (gc exposed for this process only, for this measure). */
function liveHeapBytes(): () => number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    return process.memoryUsage().heapUsed;
  };
}

describe('POST /feeds/:kind/batches', () => {
  test('stores good NDJSON rows, matched to a registered worker by the hash of the ID number, others unmatched', async () => {
    const worker = await registerWorker(h, admin.token, { unitId: grassrootsUnitId });
    const memberId = (
      await h.db.selectFrom('worker').select('id_number_hash').where('id', '=', worker.id).executeTakeFirstOrThrow()
    ).id_number_hash;
    const stranger = randomIdNumber('330603');
    const memberIdNumber = await idNumberOf(worker.id);

    const response = await upload(
      h,
      admin.token,
      'medical_expense',
      ndjson([medical(memberIdNumber), medical(stranger)]),
    );

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ kind: 'medical_expense', format: 'ndjson', accepted: 2, rejected: 0 });
    expect(response.body).toMatchObject({ stored: 2, duplicates: 0, errors: [], duplicateBatch: false });
    const rows = await feedRowsOf(h, [memberIdNumber, stranger]);
    expect(rows.map((r) => ({ matched: r.worker_id, hash: r.id_number_hash }))).toEqual(
      expect.arrayContaining([
        { matched: worker.id, hash: memberId },
        { matched: null, hash: idHash(h, stranger) },
      ]),
    );
    expect(rows[0]).toMatchObject({ amount_fen: 1_250_000, department: '绍兴市医疗保障局' });
    expect(rows[0]!.detail).toEqual({ totalFen: 4_000_000, inpatient: true });
    expect(JSON.stringify(rows)).not.toContain(stranger);
  });

  test('reports each bad row with line, field and reason, and still stores the good rows of the batch', async () => {
    const good = randomIdNumber();
    const bad = randomIdNumber();
    const wrongCheckDigit = bad.slice(0, 17) + (bad[17] === '0' ? '1' : '0');
    const lines = [
      JSON.stringify(medical(good)),
      JSON.stringify(medical(wrongCheckDigit)),
      JSON.stringify(medical(bad, { occurredOn: daysAgo(-2) })),
      JSON.stringify(medical(bad, { amountFen: -5 })),
      '',
      JSON.stringify(medical(bad, { amountFen: '1000' })),
      '{"idNumber": "broken',
      JSON.stringify({ ...medical(bad), ward: '3' }),
      JSON.stringify({ idNumber: bad, department: '医保局' }),
      JSON.stringify(medical(bad, { occurredOn: '2026-02-30' })),
    ];

    const response = await upload(h, admin.token, 'medical_expense', lines.join('\n'));

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ accepted: 1, rejected: 8, stored: 1 });
    const today = daysAgo(0);
    expect(response.body.errors).toEqual([
      { line: 2, field: 'idNumber', reason: '身份证号校验位不正确，请核对' },
      { line: 3, field: 'occurredOn', reason: `日期不能晚于今天（${today}）` },
      { line: 4, field: 'amountFen', reason: '不能为负数' },
      { line: 6, field: 'amountFen', reason: '须为整数' },
      { line: 7, field: 'row', reason: '不是有效的 JSON' },
      { line: 8, field: 'ward', reason: '不允许的字段' },
      { line: 9, field: 'occurredOn', reason: '必填' },
      { line: 9, field: 'amountFen', reason: '必填' },
      { line: 10, field: 'occurredOn', reason: '须为有效日期，格式 YYYY-MM-DD' },
    ]);
    expect(JSON.stringify(response.body)).not.toContain(bad.slice(0, 17));
    expect((await feedRowsOf(h, [good, bad])).length).toBe(1);
  });

  test('stores nothing twice: the same batch again answers the first one, overlapping rows are skipped', async () => {
    const a = randomIdNumber();
    const b = randomIdNumber();
    const body = ndjson([medical(a), medical(b)]);
    const first = await upload(h, admin.token, 'medical_expense', body);
    expect(first.status).toBe(201);

    const again = await upload(h, admin.token, 'medical_expense', body);
    const overlapping = await upload(
      h,
      admin.token,
      'medical_expense',
      ndjson([medical(b), medical(a, { amountFen: 99 })]),
    );

    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, duplicateBatch: true });
    expect(overlapping.status).toBe(201);
    expect(overlapping.body).toMatchObject({ accepted: 2, stored: 1, duplicates: 1 });
    expect(overlapping.body.batchId).not.toBe(first.body.batchId);
    expect((await feedRowsOf(h, [a, b])).length).toBe(3);
  });

  test('reads CSV with quoted fields, and the same fact in CSV and NDJSON is one row', async () => {
    const person = randomIdNumber();
    const csv = [
      'idNumber,occurredOn,department,amountFen,helpType,title',
      `${person},${daysAgo(10)},"民政局, 社会救助科",50000,cash,"临时救助 ""春节"""`,
      `${person},${daysAgo(9)},民政局,,goods,慰问品`,
    ].join('\r\n');

    const response = await upload(h, admin.token, 'department_help', csv, 'text/csv');
    const sameAsJson = await upload(
      h,
      admin.token,
      'department_help',
      ndjson([{ idNumber: person, occurredOn: daysAgo(9), department: '民政局', helpType: 'goods', title: '慰问品' }]),
    );

    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body).toMatchObject({ format: 'csv', accepted: 2, rejected: 0, stored: 2 });
    expect(sameAsJson.body).toMatchObject({ accepted: 1, stored: 0, duplicates: 1 });
    const rows = await feedRowsOf(h, [person]);
    expect(rows.map((r) => [r.department, r.amount_fen, r.detail])).toEqual([
      ['民政局, 社会救助科', 50000, { helpType: 'cash', title: '临时救助 "春节"' }],
      ['民政局', null, { helpType: 'goods', title: '慰问品' }],
    ]);
  });

  test('decodes a CSV declared as GBK, and refuses undeclared GBK as not UTF-8 without storing anything', async () => {
    const person = randomIdNumber();
    // 绍兴市卫生健康委员会 in GBK (Node has no GBK encoder, only the decoder the importer uses).
    const department = Buffer.from('c9dcd0cbcad0cec0c9fabda1bfb5ceafd4b1bbe1', 'hex');
    const gbk = Buffer.concat([
      Buffer.from(`idNumber,occurredOn,department,relation\n${person},${daysAgo(3)},`),
      department,
      Buffer.from(',spouse\n'),
    ]);

    await expectNothingStored([person], async () => {
      const undeclared = await upload(h, admin.token, 'serious_illness', gbk, 'text/csv');
      expectError(undeclared, 400, 'FEED_ENCODING_INVALID');
      expect(undeclared.body.error.message).toContain('charset=gbk');
    });
    const declared = await upload(h, admin.token, 'serious_illness', gbk, 'text/csv; charset=gbk');

    expect(declared.status, JSON.stringify(declared.body)).toBe(201);
    expect((await feedRowsOf(h, [person])).map((r) => r.department)).toEqual(['绍兴市卫生健康委员会']);
  });

  test('refuses a CSV whose header misses a required column or names an unknown one, storing nothing', async () => {
    const person = randomIdNumber();
    await expectNothingStored([person], async () => {
      const response = await upload(
        h,
        admin.token,
        'disability_certificate',
        `idNumber,occurredOn,department,level\n${person},${daysAgo(3)},残联,2\n`,
        'text/csv',
      );
      expectError(response, 400, 'FEED_COLUMNS_INVALID');
      expect(response.body.error.details).toEqual([
        { field: 'level', reason: '未知的列' },
        { field: 'grade', reason: '缺少必填列' },
      ]);
    });
  });

  test('answers an unknown kind, a wrong content type and an empty file with their own codes', async () => {
    const unknown = await upload(h, admin.token, 'lottery_wins', ndjson([medical(randomIdNumber())]));
    const json = await upload(
      h,
      admin.token,
      'medical_expense',
      JSON.stringify(medical(randomIdNumber())),
      'application/json',
    );
    const charset = await upload(h, admin.token, 'medical_expense', 'x', 'text/csv; charset=latin1');
    const empty = await upload(h, admin.token, 'medical_expense', '\n\n');

    expectError(unknown, 404, 'FEED_KIND_UNKNOWN');
    expect(unknown.body.error.details[0].field).toBe('kind');
    expectError(json, 415, 'FEED_CONTENT_TYPE_UNSUPPORTED');
    expectError(charset, 415, 'FEED_CHARSET_UNSUPPORTED');
    expectError(empty, 400, 'FEED_EMPTY');
  });

  test('answers 413 at once for a body declared larger than the limit (a 2 GB upload)', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/feeds/medical_expense/batches',
      headers: {
        authorization: `Bearer ${admin.token}`,
        'content-type': 'application/x-ndjson',
        'content-length': String(2 * 1024 * 1024 * 1024),
      },
      payload: Readable.from([Buffer.from(ndjson([medical(randomIdNumber())]))]),
    });

    expect(response.statusCode).toBe(413);
    expect(JSON.parse(response.body).error.code).toBe('FEED_TOO_LARGE');
  });

  test('stops a streamed body at the limit with 413, keeping earlier batches and none of this one', async () => {
    const earlier = randomIdNumber();
    await upload(h, admin.token, 'medical_expense', ndjson([medical(earlier)]));
    const people = Array.from({ length: 16_000 }, () => randomIdNumber());
    const lines = pieces(people, 1000);
    expect(lines.join('').length).toBeGreaterThan(LIMIT);

    await expectNothingStored(people, async () => {
      const response = await httpUpload(h, admin.token, 'medical_expense', lines);
      expect({ status: response?.status, code: response?.body.error.code }).toEqual({
        status: 413,
        code: 'FEED_TOO_LARGE',
      });
    });
    expect((await feedRowsOf(h, [earlier])).length).toBe(1);
  });

  test('stores none of a body cut off mid-way, even rows already read', async () => {
    const people = Array.from({ length: 7000 }, () => randomIdNumber());

    await expectNothingStored(people, async () => {
      expect(await httpUpload(h, admin.token, 'medical_expense', pieces(people, 500), { dropAfter: 12 })).toBeNull();
      // The server notices the hang-up on its own time; give it that before counting.
      await waitFor(
        async () =>
          (
            await h.db
              .selectFrom('feed_batch')
              .select('id')
              .where('content_hash', 'like', 'pending:%')
              .where('uploaded_by_user_id', '=', admin.id)
              .execute()
          ).length === 0,
        { message: 'the cut-off batch to roll back' },
      );
    });
  });

  test('caps the reported errors and keeps the counts exact', async () => {
    const rows = Array.from({ length: MAX_REPORTED_ERRORS + 20 }, () => ({ idNumber: 'x' }));
    const body = ndjson(rows);
    expect(body.length).toBeLessThan(LIMIT);

    const response = await upload(h, admin.token, 'housing_hardship', body);

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ accepted: 0, rejected: MAX_REPORTED_ERRORS + 20, errorsTruncated: true });
    expect(response.body.errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(response.body.errorCount).toBe((MAX_REPORTED_ERRORS + 20) * 4);
  });

  test('validates the department-help shape the warm-heart list reads', async () => {
    const person = randomIdNumber();
    const response = await upload(
      h,
      admin.token,
      'department_help',
      ndjson([
        { idNumber: person, occurredOn: daysAgo(1), department: '民政局', helpType: 'money', title: '救助' },
        { idNumber: person, occurredOn: daysAgo(1), department: '民政局', helpType: 'cash', title: '  ' },
        { idNumber: person, occurredOn: daysAgo(1), department: '民政局', helpType: 'service', title: '家政服务' },
      ]),
    );

    expect(response.body).toMatchObject({ accepted: 1, rejected: 2 });
    expect(response.body.errors).toEqual([
      { line: 1, field: 'helpType', reason: '取值须为 cash、goods、service 之一' },
      { line: 2, field: 'title', reason: '须为非空文本' },
    ]);
  });

  test('lets city and district admins upload, and nobody else', async () => {
    const supervisor = await h.login('keqiao_supervisor');
    const caseworker = await h.login('keqiao_t1_caseworker');
    const body = ndjson([medical(randomIdNumber())]);

    const byDistrict = await upload(h, districtAdmin.token, 'medical_expense', body);
    const bySupervisor = await upload(h, supervisor, 'medical_expense', ndjson([medical(randomIdNumber())]));
    const byCaseworker = await upload(h, caseworker, 'medical_expense', ndjson([medical(randomIdNumber())]));

    expect(byDistrict.status).toBe(201);
    expectError(bySupervisor, 403, 'ROLE_NOT_ALLOWED');
    expectError(byCaseworker, 403, 'ROLE_NOT_ALLOWED');
  });

  test('keeps memory flat while a large batch streams through', async () => {
    const rows = 60_000;
    let sent = 0;
    const body = new Readable({
      read() {
        const lines: string[] = [];
        for (let i = 0; i < 500 && sent < rows; i++, sent++) {
          lines.push(JSON.stringify(medical(randomIdNumber(), { amountFen: 100 + sent })));
        }
        this.push(lines.length ? `${lines.join('\n')}\n` : null);
      },
    });
    const local = await createHarness({ env: { FEED_BODY_LIMIT_BYTES: String(512 * 1024 * 1024) } });
    try {
      const token = await local.login('admin', ADMIN_PASSWORD);
      // Live memory, not heap in use: garbage waiting for a lazy collector would make the figure depend on when V8
      // chose to collect. Each sample collects first, so what is left is what the upload holds on to.
      const live = liveHeapBytes();
      const baseline = live();
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, live());
      }, 250);
      const response = await upload(local, token, 'medical_expense', body);
      clearInterval(sampler);

      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ accepted: rows, stored: rows });
      // The body is about 12 MB; held whole, let alone with its parsed rows, it would pass this. Measured: 2.5 MB.
      expect((peak - baseline) / 1024 / 1024).toBeLessThan(16);
    } finally {
      await local.close();
    }
  }, 180_000);
});

describe('matching rows to workers', () => {
  test('matches rows kept unmatched once the worker with that ID number is registered', async () => {
    const idNumber = randomIdNumber();
    await upload(
      h,
      admin.token,
      'low_income',
      ndjson([{ idNumber, occurredOn: daysAgo(20), department: '民政局', amountFen: 120_000, householdSize: 3 }]),
    );
    expect((await feedRowsOf(h, [idNumber]))[0]!.worker_id).toBeNull();

    const worker = await registerWorker(h, admin.token, { unitId: grassrootsUnitId, idNumber });

    expect((await feedRowsOf(h, [idNumber]))[0]!.worker_id).toBe(worker.id);
  });
});

describe('GET /feeds', () => {
  test('lists every kind with its columns', async () => {
    const response = await h.request('GET', '/feeds', { token: admin.token });

    expect(response.status).toBe(200);
    expect(response.body.items).toHaveLength(13);
    const help = response.body.items.find((k: { kind: string }) => k.kind === 'department_help');
    expect(help.columns.map((c: { key: string }) => c.key)).toEqual([
      'idNumber',
      'occurredOn',
      'department',
      'amountFen',
      'helpType',
      'title',
    ]);
  });
});

/** NDJSON of a medical row per person, in pieces of `size` lines. */
function pieces(people: string[], size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < people.length; i += size) {
    out.push(ndjson(people.slice(i, i + size).map((p) => medical(p))));
  }
  return out;
}

async function idNumberOf(workerId: string): Promise<string> {
  const { decrypt } = await import('../../../db/personal-data.js');
  const row = await h.db
    .selectFrom('worker')
    .select('id_number_enc')
    .where('id', '=', workerId)
    .executeTakeFirstOrThrow();
  return decrypt(row.id_number_enc, h.config.dataEncryptionKey);
}
