import type { Insertable } from 'kysely';
import { hashPassword } from '../api/auth/password.js';
import type { Database, Db } from '../db/database.js';
import {
  checkIdNumber,
  encrypt,
  lookupHash,
  maskIdNumber,
  maskPhone,
  withCheckDigit,
  type PersonalDataKeys,
} from '../db/personal-data.js';
import type { HardshipStatus, WorkerTable } from '../db/tables/worker.table.js';
import type { StaffRole, UnitLevel } from '../workflows/shared/case-vocabulary.js';
import { mulberry32, pick, randomInt, seedId } from './ids.js';

export const ADMIN_USERNAME = 'admin';
export const DEFAULT_WORKER_COUNT = 300;

const STAFF_RANDOM_SEED = 20_260_101;
const WORKER_RANDOM_SEED = 330_600;
const BATCH_SIZE = 1000;

interface DistrictPlan {
  /** Short pinyin code; demo usernames and seed ids are built from it. */
  code: string;
  name: string;
  /** Administrative division code: the first six digits of ID numbers issued there. */
  regionCode: string;
  townships: readonly { name: string; grassroots: readonly string[] }[];
}

const CITY = { name: '绍兴市总工会', regionCode: '330600' } as const;

// Township and street names are real; every grassroots union below them, with its enterprise or community, is
// invented for the demo, and any likeness to a real one is chance.
const DISTRICTS: readonly DistrictPlan[] = [
  {
    code: 'yuecheng',
    name: '越城区总工会',
    regionCode: '330602',
    townships: [
      { name: '北海街道工会', grassroots: ['北海街道启明社区联合工会', '绍兴越醇酒业有限公司工会'] },
      { name: '府山街道工会', grassroots: ['府山街道新就业形态劳动者联合工会', '绍兴府山文旅服务有限公司工会'] },
    ],
  },
  {
    code: 'keqiao',
    name: '柯桥区总工会',
    regionCode: '330603',
    townships: [
      { name: '柯桥街道工会', grassroots: ['柯桥街道锦程社区联合工会', '浙江织韵纺织有限公司工会'] },
      { name: '华舍街道工会', grassroots: ['华舍街道丝语社区联合工会', '绍兴华织喷织有限公司工会'] },
    ],
  },
  {
    code: 'shangyu',
    name: '上虞区总工会',
    regionCode: '330604',
    townships: [
      { name: '百官街道工会', grassroots: ['百官街道和美社区联合工会', '上虞晴伞制伞有限公司工会'] },
      { name: '曹娥街道工会', grassroots: ['曹娥街道孝德社区联合工会', '浙江曹江精细化工有限公司工会'] },
    ],
  },
  {
    code: 'zhuji',
    name: '诸暨市总工会',
    regionCode: '330681',
    townships: [
      { name: '暨阳街道工会', grassroots: ['暨阳街道同心社区联合工会', '诸暨织暖袜业有限公司工会'] },
      { name: '浣东街道工会', grassroots: ['浣东街道宜居社区联合工会', '诸暨润珠珍珠饰品有限公司工会'] },
    ],
  },
  {
    code: 'shengzhou',
    name: '嵊州市总工会',
    regionCode: '330683',
    townships: [
      { name: '剡湖街道工会', grassroots: ['剡湖街道安居社区联合工会', '嵊州锦领领带服饰有限公司工会'] },
      { name: '三江街道工会', grassroots: ['三江街道和睦社区联合工会', '嵊州暖灶厨具电器有限公司工会'] },
    ],
  },
  {
    code: 'xinchang',
    name: '新昌县总工会',
    regionCode: '330624',
    townships: [
      { name: '南明街道工会', grassroots: ['南明街道康宁社区联合工会', '新昌康泽制药有限公司工会'] },
      { name: '七星街道工会', grassroots: ['七星街道新苑社区联合工会', '新昌恒转轴承有限公司工会'] },
    ],
  },
];

/** One org unit of the seed tree. */
export interface SeedUnit {
  id: string;
  parentId: string | null;
  level: UnitLevel;
  name: string;
  /** `/<cityId>/<districtId>/.../<ownId>/`. */
  path: string;
  /** Stable name of the unit in seed ids and usernames: `city`, `yuecheng`, `yuecheng_t1`, `yuecheng_t1_g2`. */
  handle: string;
  /** Division code of the district the unit lies in (the city's own code for the city). */
  regionCode: string;
}

/** The org tree, parents before children: the city, six districts, two townships each, two grassroots unions each. */
export function buildOrgTree(): SeedUnit[] {
  const city = seedUnit('city', null, 'city', CITY.name, CITY.regionCode);
  const units = [city];
  for (const district of DISTRICTS) {
    const districtUnit = seedUnit(district.code, city, 'district', district.name, district.regionCode);
    units.push(districtUnit);
    district.townships.forEach((township, t) => {
      const townshipUnit = seedUnit(
        `${district.code}_t${t + 1}`,
        districtUnit,
        'township',
        township.name,
        district.regionCode,
      );
      units.push(townshipUnit);
      township.grassroots.forEach((name, g) => {
        units.push(seedUnit(`${townshipUnit.handle}_g${g + 1}`, townshipUnit, 'grassroots', name, district.regionCode));
      });
    });
  }
  return units;
}

function seedUnit(
  handle: string,
  parent: SeedUnit | null,
  level: UnitLevel,
  name: string,
  regionCode: string,
): SeedUnit {
  const id = seedId(`unit:${handle}`);
  return { id, parentId: parent?.id ?? null, level, name, path: `${parent?.path ?? '/'}${id}/`, handle, regionCode };
}

const SURNAMES = [...'王陈张李徐周金钱孙胡沈俞鲁蔡何杨吴赵朱马章宋楼袁'];
const MALE_NAME_CHARACTERS = [...'建国伟军志明强杰斌海峰涛华平林刚勇磊浩宇'];
const FEMALE_NAME_CHARACTERS = [...'丽芳英萍燕娟红霞静婷慧敏琴玲艳雪洁佳颖倩'];

/** A fictional Chinese name: a common surname and one or two given-name characters. */
function fictionalName(random: () => number, male: boolean): string {
  const characters = male ? MALE_NAME_CHARACTERS : FEMALE_NAME_CHARACTERS;
  const given = pick(random, characters) + (random() < 0.7 ? pick(random, characters) : '');
  return pick(random, SURNAMES) + given;
}

const STAFF_BY_LEVEL: Record<UnitLevel, readonly StaffRole[]> = {
  city: ['admin', 'supervisor', 'caseworker', 'trainer', 'inspector'],
  district: ['admin', 'supervisor', 'caseworker'],
  township: ['supervisor', 'caseworker'],
  grassroots: ['caseworker'],
};

/** A staff account as printed for the demo. */
export interface DemoAccount {
  username: string;
  role: StaffRole;
  unitName: string;
}

export interface SeedAccount extends DemoAccount {
  id: string;
  name: string;
  unitId: string;
}

/**
 * The staff accounts of the tree: at the city `admin`, `city_supervisor`, `city_caseworker`, `trainer` and
 * `inspector`; everywhere else `<handle>_<role>`, e.g. `keqiao_admin`, `keqiao_t1_supervisor`,
 * `keqiao_t1_g2_caseworker`.
 */
export function buildStaffAccounts(units: readonly SeedUnit[]): SeedAccount[] {
  const random = mulberry32(STAFF_RANDOM_SEED);
  return units.flatMap((unit) =>
    STAFF_BY_LEVEL[unit.level].map((role) => {
      const username =
        unit.level === 'city' && !['supervisor', 'caseworker'].includes(role) ? role : `${unit.handle}_${role}`;
      return {
        id: seedId(`user:${username}`),
        username,
        role,
        name: fictionalName(random, random() < 0.5),
        unitId: unit.id,
        unitName: unit.name,
      };
    }),
  );
}

/** A fictional union member before encryption. */
export interface SeedWorker {
  id: string;
  householdId: string;
  unitId: string;
  name: string;
  idNumber: string;
  phone: string;
  hardshipStatus: HardshipStatus;
}

const EARLIEST_BIRTH_MS = Date.UTC(1965, 0, 1);
const BIRTH_SPAN_DAYS = (Date.UTC(2000, 11, 31) - EARLIEST_BIRTH_MS) / 86_400_000 + 1;

function fictionalIdNumber(random: () => number, regionCode: string, male: boolean): string {
  const birth = new Date(EARLIEST_BIRTH_MS + randomInt(random, BIRTH_SPAN_DAYS) * 86_400_000);
  // The last digit of the three-digit order code is odd for men and even for women (GB 11643).
  const order = String(randomInt(random, 500) * 2 + (male ? 1 : 0)).padStart(3, '0');
  return withCheckDigit(`${regionCode}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${order}`);
}

const fictionalPhone = (random: () => number): string =>
  pick(random, ['13', '15', '18']) + String(randomInt(random, 1_000_000_000)).padStart(9, '0');

function hardshipStatus(random: () => number): HardshipStatus {
  const draw = random();
  return draw < 0.1 ? 'registered' : draw < 0.2 ? 'borderline' : 'none';
}

/**
 * `count` fictional workers dealt round the grassroots units, one household each, except that every tenth worker
 * joins the previous worker's household. ID numbers carry the division code of the unit's district and are unique.
 * The same count always yields the same workers, and a larger count extends a smaller one.
 */
export function buildWorkers(units: readonly SeedUnit[], count: number): SeedWorker[] {
  const grassroots = units.filter((unit) => unit.level === 'grassroots');
  const random = mulberry32(WORKER_RANDOM_SEED);
  const usedIdNumbers = new Set<string>();
  const workers: SeedWorker[] = [];
  let householdCount = 0;
  let household: { id: string; unit: SeedUnit } | undefined;

  for (let n = 1; n <= count; n += 1) {
    if (!household || n % 10 !== 0) {
      const unit = grassroots[householdCount % grassroots.length];
      if (!unit) {
        throw new Error('The org tree has no grassroots unit to place workers in');
      }
      householdCount += 1;
      household = { id: seedId(`household:${householdCount}`), unit };
    }
    const male = random() < 0.5;
    let idNumber = fictionalIdNumber(random, household.unit.regionCode, male);
    while (usedIdNumbers.has(idNumber)) {
      idNumber = fictionalIdNumber(random, household.unit.regionCode, male);
    }
    usedIdNumbers.add(idNumber);
    workers.push({
      id: seedId(`worker:${n}`),
      householdId: household.id,
      unitId: household.unit.id,
      name: fictionalName(random, male),
      idNumber,
      phone: fictionalPhone(random),
      hardshipStatus: hardshipStatus(random),
    });
  }

  return workers;
}

function dateRange(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let ms = Date.parse(`${from}T00:00:00Z`); ms <= Date.parse(`${to}T00:00:00Z`); ms += 86_400_000) {
    dates.push(new Date(ms).toISOString().slice(0, 10));
  }
  return dates;
}

const ARRANGEMENT_2026 = [
  { festival: '元旦', from: '2026-01-01', to: '2026-01-03', workdays: ['2026-01-04'] },
  { festival: '春节', from: '2026-02-15', to: '2026-02-23', workdays: ['2026-02-14', '2026-02-28'] },
  { festival: '清明节', from: '2026-04-04', to: '2026-04-06', workdays: [] },
  { festival: '劳动节', from: '2026-05-01', to: '2026-05-05', workdays: ['2026-05-09'] },
  { festival: '端午节', from: '2026-06-19', to: '2026-06-21', workdays: [] },
  { festival: '中秋节', from: '2026-09-25', to: '2026-09-27', workdays: [] },
  { festival: '国庆节', from: '2026-10-01', to: '2026-10-07', workdays: ['2026-09-20', '2026-10-10'] },
] as const;

/**
 * Holidays and make-up working days of 2026, as the State Council General Office notice on the 2026 holiday
 * arrangement set them (国务院办公厅关于2026年部分节假日安排的通知, 4 November 2025). Dates are Beijing dates.
 */
export const CALENDAR_2026: { year: number; holidays: readonly string[]; workdays: readonly string[] } = Object.freeze({
  year: 2026,
  holidays: Object.freeze(ARRANGEMENT_2026.flatMap((festival) => dateRange(festival.from, festival.to))),
  workdays: Object.freeze(ARRANGEMENT_2026.flatMap((festival) => festival.workdays)),
});

export interface ReferenceDataOptions {
  /** Password of the city-level `admin` account. */
  adminPassword: string;
  /** Password of every other demo account. */
  demoPassword: string;
  keys: PersonalDataKeys;
  workerCount?: number;
}

export interface SeedCounts {
  orgUnits: number;
  users: number;
  households: number;
  workers: number;
  holidayCalendars: number;
}

export interface SeedSummary {
  /** Rows the reference data consists of. */
  defined: SeedCounts;
  /** Rows this run added; all zero when the data was already there. */
  inserted: SeedCounts;
  /** Every seeded staff account, `admin` first. */
  accounts: DemoAccount[];
}

/**
 * Loads the reference data in one transaction: the org tree, staff accounts at every level, fictional workers and
 * households, and the 2026 holiday calendar. Idempotent: rows have fixed ids and inserts ignore conflicts, so a
 * repeat run adds nothing and never overwrites (an existing account keeps its password, an edited calendar its
 * edits). No time-limit policy is saved, so policy version 0, the built-in defaults, applies.
 */
export async function seedReferenceData(db: Db, options: ReferenceDataOptions): Promise<SeedSummary> {
  const units = buildOrgTree();
  const accounts = buildStaffAccounts(units);
  const workers = buildWorkers(units, options.workerCount ?? DEFAULT_WORKER_COUNT);
  const households = [...new Map(workers.map((worker) => [worker.householdId, worker.unitId])).entries()];
  // Demo accounts are fictional and share one password, so one hash serves them all; scrypt costs ~50 ms a call.
  const [adminHash, demoHash] = await Promise.all([
    hashPassword(options.adminPassword),
    hashPassword(options.demoPassword),
  ]);

  const inserted = await db.transaction().execute(async (trx) => {
    const orgUnits = await insertNew(
      trx,
      'org_unit',
      units.map(({ id, parentId, level, name, path }) => ({ id, parent_id: parentId, level, name, path })),
    );
    const users = await insertNew(
      trx,
      'app_user',
      accounts.map((account) => ({
        id: account.id,
        username: account.username,
        password_hash: account.username === ADMIN_USERNAME ? adminHash : demoHash,
        name: account.name,
        role: account.role,
        unit_id: account.unitId,
      })),
    );
    const householdRows = await insertNew(
      trx,
      'household',
      households.map(([id, unitId]) => ({ id, unit_id: unitId })),
    );
    const workerRows = await insertNew(
      trx,
      'worker',
      workers.map((worker) => workerRow(worker, options.keys)),
    );
    const calendar = await trx
      .insertInto('holiday_calendar')
      .values({
        year: CALENDAR_2026.year,
        holidays: [...CALENDAR_2026.holidays],
        workdays: [...CALENDAR_2026.workdays],
      })
      .onConflict((oc) => oc.column('year').doNothing())
      .executeTakeFirst();
    return {
      orgUnits,
      users,
      households: householdRows,
      workers: workerRows,
      holidayCalendars: Number(calendar.numInsertedOrUpdatedRows ?? 0),
    };
  });

  return {
    defined: {
      orgUnits: units.length,
      users: accounts.length,
      households: households.length,
      workers: workers.length,
      holidayCalendars: 1,
    },
    inserted,
    accounts: accounts.map(({ username, role, unitName }) => ({ username, role, unitName })),
  };
}

function workerRow(worker: SeedWorker, keys: PersonalDataKeys): Insertable<WorkerTable> {
  const facts = checkIdNumber(worker.idNumber);
  if (typeof facts === 'string') {
    throw new Error(`Generated ID number of seed worker ${worker.id} is invalid (${facts})`);
  }
  return {
    id: worker.id,
    household_id: worker.householdId,
    unit_id: worker.unitId,
    name: worker.name,
    id_number_enc: encrypt(worker.idNumber, keys.encryptionKey),
    id_number_hash: lookupHash(worker.idNumber, keys.lookupHashKey),
    id_number_masked: maskIdNumber(worker.idNumber),
    phone_enc: encrypt(worker.phone, keys.encryptionKey),
    phone_hash: lookupHash(worker.phone, keys.lookupHashKey),
    phone_masked: maskPhone(worker.phone),
    birth_date: facts.birthDate,
    gender: facts.gender,
    hardship_status: worker.hardshipStatus,
  };
}

/** Inserts in batches (within PostgreSQL's parameter limit), skipping rows that conflict; returns rows added. */
async function insertNew<T extends 'org_unit' | 'app_user' | 'household' | 'worker'>(
  db: Db,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<number> {
  let inserted = 0;
  for (let start = 0; start < rows.length; start += BATCH_SIZE) {
    const result = await db
      .insertInto(table)
      .values(rows.slice(start, start + BATCH_SIZE))
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}
