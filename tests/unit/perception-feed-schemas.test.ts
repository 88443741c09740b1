import { describe, expect, test } from 'vitest';
import { FEED_SCHEMAS, validateRow } from '../../api/routes/feeds/feed-schemas.js';
import { withCheckDigit } from '../../db/personal-data.js';

const context = { today: '2026-12-05', lookupHashKey: Buffer.alloc(32, 7) };
const ID = withCheckDigit('33060219851231123');
const fullWidth = (text: string) => text.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

describe('validateRow', () => {
  test('gives the same row key to the same fact from NDJSON and from CSV, and to a full-width ID number', () => {
    const schema = FEED_SCHEMAS.unpaid_wages;
    const json = validateRow(
      schema,
      { idNumber: ID, occurredOn: '2026-11-01', department: '人社局', amountFen: 500_000, months: 2, resolved: false },
      'json',
      context,
    );
    const text = validateRow(
      schema,
      {
        idNumber: ` ${fullWidth(ID)} `,
        occurredOn: '2026-11-01',
        department: '人社局',
        amountFen: '500000',
        months: '2',
        resolved: '否',
      },
      'text',
      context,
    );

    expect('row' in json && 'row' in text).toBe(true);
    expect(json).toEqual(text);
    expect(JSON.stringify(json)).not.toContain(ID);
  });

  test('refuses text where JSON needs a number, and a date after today', () => {
    const outcome = validateRow(
      FEED_SCHEMAS.child_tuition,
      { idNumber: ID, occurredOn: '2026-12-06', department: '教育局', amountFen: '100', stage: 'primary' },
      'json',
      context,
    );

    expect(outcome).toEqual({
      problems: [
        { field: 'occurredOn', reason: '日期不能晚于今天（2026-12-05）' },
        { field: 'amountFen', reason: '须为整数' },
      ],
    });
  });

  test('keeps the amount out of kinds that have none, and checks fields against each other', () => {
    expect(
      validateRow(
        FEED_SCHEMAS.work_injury,
        { idNumber: ID, occurredOn: '2026-01-01', department: '人社局', amountFen: 1 },
        'json',
        context,
      ),
    ).toEqual({ problems: [{ field: 'amountFen', reason: '不允许的字段' }] });
    expect(
      validateRow(
        FEED_SCHEMAS.unemployment_registration,
        { idNumber: ID, occurredOn: '2026-05-01', department: '人社局', endedOn: '2026-04-01' },
        'json',
        context,
      ),
    ).toEqual({ problems: [{ field: 'endedOn', reason: '终止日期不能早于登记日期' }] });
  });
});
