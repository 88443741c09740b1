import { createHash, createHmac } from 'node:crypto';
import { checkIdNumber, normaliseIdNumber, type IdNumberProblem } from '../../../db/personal-data.js';
import { FEED_KINDS, type FeedKind } from '../../../db/tables/feed.table.js';

/**
 * The row schema of each kind of department data. Every row names the person by ID-card number (hashed on
 * import, never stored), the date the fact happened, the sending department and, where the kind has one, an
 * amount in fen; the kind's own fields go to `detail`. NDJSON values must have their JSON types (no "100" for a
 * number); CSV values are text and are parsed by the same rules. Pure: no I/O.
 */

export type FieldType =
  | { type: 'int'; min: number; max: number }
  | { type: 'bool' }
  | { type: 'date' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'text'; maxLength: number };

export interface FieldSpec {
  key: string;
  label: string;
  required: boolean;
  spec: FieldType;
}

export interface FeedSchema {
  kind: FeedKind;
  label: string;
  /** Whether rows carry `amountFen`, and what it is. */
  amount: { use: 'required' | 'optional' | 'none'; label?: string };
  detail: readonly FieldSpec[];
}

const RELATIONS = ['self', 'spouse', 'child', 'parent'] as const;
const field = (key: string, label: string, spec: FieldType, required = true): FieldSpec => ({
  key,
  label,
  required,
  spec,
});

export const FEED_SCHEMAS: Record<FeedKind, FeedSchema> = {
  medical_expense: {
    kind: 'medical_expense',
    label: '医疗费用结算（医保局）',
    amount: { use: 'required', label: '个人自付金额（分）' },
    detail: [
      field('totalFen', '医疗总费用（分）', { type: 'int', min: 0, max: 100_000_000_000 }, false),
      field('inpatient', '是否住院', { type: 'bool' }, false),
    ],
  },
  minimum_living_allowance: {
    kind: 'minimum_living_allowance',
    label: '最低生活保障（民政局）',
    amount: { use: 'optional', label: '月保障金额（分）' },
    detail: [field('householdSize', '保障人口数', { type: 'int', min: 1, max: 20 }, false)],
  },
  unemployment_registration: {
    kind: 'unemployment_registration',
    label: '失业登记（人社局）',
    amount: { use: 'none' },
    detail: [field('endedOn', '失业登记终止日期（已就业）', { type: 'date' }, false)],
  },
  unpaid_wages: {
    kind: 'unpaid_wages',
    label: '欠薪（人社局、法院）',
    amount: { use: 'required', label: '被拖欠金额（分）' },
    detail: [
      field('months', '拖欠月数', { type: 'int', min: 1, max: 120 }, false),
      field('resolved', '是否已解决', { type: 'bool' }, false),
    ],
  },
  disability_certificate: {
    kind: 'disability_certificate',
    label: '残疾证（残联）',
    amount: { use: 'none' },
    detail: [
      field('grade', '残疾等级（1 级最重）', { type: 'int', min: 1, max: 4 }),
      field(
        'category',
        '残疾类别',
        { type: 'enum', values: ['visual', 'hearing', 'speech', 'physical', 'intellectual', 'mental', 'multiple'] },
        false,
      ),
    ],
  },
  serious_illness: {
    kind: 'serious_illness',
    label: '重大疾病（医保局、卫健委）',
    amount: { use: 'none' },
    detail: [field('relation', '患者与职工的关系', { type: 'enum', values: RELATIONS })],
  },
  housing_hardship: {
    kind: 'housing_hardship',
    label: '住房困难（住建局）',
    amount: { use: 'none' },
    detail: [field('situation', '困难情形', { type: 'enum', values: ['no_housing', 'dilapidated', 'overcrowded'] })],
  },
  child_tuition: {
    kind: 'child_tuition',
    label: '子女学费（教育局）',
    amount: { use: 'required', label: '学费金额（分）' },
    detail: [
      field('stage', '学段', {
        type: 'enum',
        values: ['preschool', 'primary', 'junior', 'senior', 'vocational', 'university'],
      }),
    ],
  },
  disaster_accident: {
    kind: 'disaster_accident',
    label: '灾害与意外（应急管理局）',
    amount: { use: 'required', label: '损失金额（分）' },
    detail: [field('type', '事件类型', { type: 'enum', values: ['fire', 'flood', 'typhoon', 'traffic', 'other'] })],
  },
  family_death: {
    kind: 'family_death',
    label: '家庭成员死亡（公安局、民政局）',
    amount: { use: 'none' },
    detail: [field('relation', '亡故者与职工的关系', { type: 'enum', values: ['spouse', 'child', 'parent'] })],
  },
  low_income: {
    kind: 'low_income',
    label: '低收入认定（民政局、税务局）',
    amount: { use: 'required', label: '家庭人均月收入（分）' },
    detail: [field('householdSize', '家庭人口数', { type: 'int', min: 1, max: 20 })],
  },
  work_injury: {
    kind: 'work_injury',
    label: '工伤认定（人社局）',
    amount: { use: 'none' },
    detail: [field('grade', '伤残等级（1 级最重）', { type: 'int', min: 1, max: 10 }, false)],
  },
  department_help: {
    kind: 'department_help',
    label: '其他部门已给予的帮扶',
    amount: { use: 'optional', label: '帮扶金额（分，实物或服务可空）' },
    detail: [
      field('helpType', '帮扶方式', { type: 'enum', values: ['cash', 'goods', 'service'] }),
      field('title', '帮扶名称（如 医疗救助金、临时救助、慰问品）', { type: 'text', maxLength: 100 }),
    ],
  },
};

export const isFeedKind = (kind: string): kind is FeedKind => (FEED_KINDS as readonly string[]).includes(kind);

/** The columns (CSV) or keys (NDJSON) a row of the kind may have, common ones first. */
export function columnsOf(schema: FeedSchema): { key: string; required: boolean }[] {
  return [
    { key: 'idNumber', required: true },
    { key: 'occurredOn', required: true },
    { key: 'department', required: true },
    ...(schema.amount.use === 'none' ? [] : [{ key: 'amountFen', required: schema.amount.use === 'required' }]),
    ...schema.detail.map((f) => ({ key: f.key, required: f.required })),
  ];
}

export interface RowProblem {
  field: string;
  reason: string;
}

/** A validated row, ready to store. */
export interface FeedRowDraft {
  rowKey: string;
  idNumberHash: string;
  occurredOn: string;
  amountFen: number | null;
  department: string;
  /** Canonical JSON of the kind's own fields (keys in schema order). */
  detail: string;
}

const ID_PROBLEMS: Record<IdNumberProblem, string> = {
  length: '身份证号须为 18 位',
  characters: '身份证号前 17 位须为数字，最后一位为数字或 X',
  birth_date: '身份证号中的出生日期无效',
  check_digit: '身份证号校验位不正确，请核对',
};

const MAX_AMOUNT_FEN = 100_000_000_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isRealDate(text: string): boolean {
  if (!DATE.test(text)) {
    return false;
  }
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}

/** How values reach the validator: typed JSON (NDJSON) or text (CSV, where an empty cell is an absent value). */
export type ValueSource = 'json' | 'text';

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function parseValue(spec: FieldType, raw: unknown, source: ValueSource): Parsed<number | boolean | string> {
  switch (spec.type) {
    case 'int': {
      let value: number;
      if (source === 'text') {
        if (typeof raw !== 'string' || !/^-?\d{1,15}$/.test(raw)) {
          return { ok: false, reason: '须为整数' };
        }
        value = Number(raw);
      } else {
        if (typeof raw !== 'number' || !Number.isInteger(raw)) {
          return { ok: false, reason: '须为整数' };
        }
        value = raw;
      }
      if (value < spec.min) {
        return { ok: false, reason: spec.min === 0 ? '不能为负数' : `不能小于 ${spec.min}` };
      }
      if (value > spec.max) {
        return { ok: false, reason: `不能大于 ${spec.max}` };
      }
      return { ok: true, value };
    }
    case 'bool':
      if (source === 'text') {
        if (raw === 'true' || raw === '1' || raw === '是') {
          return { ok: true, value: true };
        }
        if (raw === 'false' || raw === '0' || raw === '否') {
          return { ok: true, value: false };
        }
        return { ok: false, reason: '须为 true 或 false' };
      }
      return typeof raw === 'boolean' ? { ok: true, value: raw } : { ok: false, reason: '须为 true 或 false' };
    case 'date':
      return typeof raw === 'string' && isRealDate(raw)
        ? { ok: true, value: raw }
        : { ok: false, reason: '须为有效日期，格式 YYYY-MM-DD' };
    case 'enum':
      return typeof raw === 'string' && spec.values.includes(raw)
        ? { ok: true, value: raw }
        : { ok: false, reason: `取值须为 ${spec.values.join('、')} 之一` };
    case 'text': {
      if (typeof raw !== 'string' || raw.trim() === '') {
        return { ok: false, reason: '须为非空文本' };
      }
      if (raw.includes('\u0000')) {
        return { ok: false, reason: '含有不允许的字符' };
      }
      const value = raw.trim();
      return value.length > spec.maxLength
        ? { ok: false, reason: `最多 ${spec.maxLength} 个字符` }
        : { ok: true, value };
    }
  }
}

const absent = (raw: unknown, source: ValueSource) => raw === undefined || (source === 'text' && raw === '');

export interface RowContext {
  /** Today's date in Asia/Shanghai, `YYYY-MM-DD`: no row may happen after it. */
  today: string;
  lookupHashKey: Buffer;
}

/**
 * Validates one row of a kind and prepares it for storage, or lists every problem found (field and reason, in
 * Chinese). The ID-card number never appears in a problem. The row key is a hash of the normalised content, so
 * the same fact sent twice, in either format, is one row.
 */
export function validateRow(
  schema: FeedSchema,
  record: Record<string, unknown>,
  source: ValueSource,
  context: RowContext,
): { row: FeedRowDraft } | { problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const known = new Set(columnsOf(schema).map((c) => c.key));
  for (const key of Object.keys(record)) {
    if (!known.has(key)) {
      problems.push({ field: key, reason: '不允许的字段' });
    }
  }

  let idNumberHash = '';
  const rawId = record.idNumber;
  if (absent(rawId, source)) {
    problems.push({ field: 'idNumber', reason: '必填' });
  } else if (typeof rawId !== 'string') {
    problems.push({ field: 'idNumber', reason: '须为文本' });
  } else {
    const idNumber = normaliseIdNumber(rawId);
    const facts = checkIdNumber(idNumber);
    if (typeof facts === 'string') {
      problems.push({ field: 'idNumber', reason: ID_PROBLEMS[facts] });
    } else {
      idNumberHash = createHmac('sha256', context.lookupHashKey).update(idNumber).digest('base64url');
    }
  }

  const occurredOn = record.occurredOn;
  if (absent(occurredOn, source)) {
    problems.push({ field: 'occurredOn', reason: '必填' });
  } else if (typeof occurredOn !== 'string' || !isRealDate(occurredOn)) {
    problems.push({ field: 'occurredOn', reason: '须为有效日期，格式 YYYY-MM-DD' });
  } else if (occurredOn > context.today) {
    problems.push({ field: 'occurredOn', reason: `日期不能晚于今天（${context.today}）` });
  } else if (occurredOn < '1900-01-01') {
    problems.push({ field: 'occurredOn', reason: '日期不能早于 1900-01-01' });
  }

  let department = '';
  const parsedDepartment = parseValue({ type: 'text', maxLength: 50 }, record.department, source);
  if (absent(record.department, source)) {
    problems.push({ field: 'department', reason: '必填' });
  } else if (!parsedDepartment.ok) {
    problems.push({ field: 'department', reason: parsedDepartment.reason });
  } else {
    department = parsedDepartment.value as string;
  }

  let amountFen: number | null = null;
  if (schema.amount.use !== 'none') {
    if (absent(record.amountFen, source)) {
      if (schema.amount.use === 'required') {
        problems.push({ field: 'amountFen', reason: '必填' });
      }
    } else {
      const parsed = parseValue({ type: 'int', min: 0, max: MAX_AMOUNT_FEN }, record.amountFen, source);
      if (parsed.ok) {
        amountFen = parsed.value as number;
      } else {
        problems.push({ field: 'amountFen', reason: parsed.reason });
      }
    }
  }

  const detail: Record<string, number | boolean | string> = {};
  for (const spec of schema.detail) {
    const raw = record[spec.key];
    if (absent(raw, source)) {
      if (spec.required) {
        problems.push({ field: spec.key, reason: '必填' });
      }
      continue;
    }
    const parsed = parseValue(spec.spec, raw, source);
    if (parsed.ok) {
      detail[spec.key] = parsed.value;
    } else {
      problems.push({ field: spec.key, reason: parsed.reason });
    }
  }
  problems.push(...crossFieldProblems(schema.kind, detail, amountFen, occurredOn, context.today));

  if (problems.length > 0) {
    return { problems };
  }
  const detailJson = JSON.stringify(detail);
  const rowKey = createHash('sha256')
    .update(`${schema.kind}\n${idNumberHash}\n${String(occurredOn)}\n${amountFen ?? ''}\n${department}\n${detailJson}`)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
  return {
    row: { rowKey, idNumberHash, occurredOn: occurredOn as string, amountFen, department, detail: detailJson },
  };
}

function crossFieldProblems(
  kind: FeedKind,
  detail: Record<string, unknown>,
  amountFen: number | null,
  occurredOn: unknown,
  today: string,
): RowProblem[] {
  if (kind === 'unemployment_registration' && typeof detail.endedOn === 'string') {
    if (detail.endedOn > today) {
      return [{ field: 'endedOn', reason: `日期不能晚于今天（${today}）` }];
    }
    if (typeof occurredOn === 'string' && detail.endedOn < occurredOn) {
      return [{ field: 'endedOn', reason: '终止日期不能早于登记日期' }];
    }
  }
  if (kind === 'medical_expense' && typeof detail.totalFen === 'number' && amountFen !== null) {
    if (detail.totalFen < amountFen) {
      return [{ field: 'totalFen', reason: '医疗总费用不能少于个人自付金额' }];
    }
  }
  return [];
}
