import { describe, expect, test } from 'vitest';
import { checkIdNumber } from '../../db/personal-data.js';
import {
  ADMIN_USERNAME,
  buildOrgTree,
  buildStaffAccounts,
  buildWorkers,
  CALENDAR_2026,
  DEFAULT_WORKER_COUNT,
} from '../../seeds/01-reference-data.js';
import { mulberry32, seedId } from '../../seeds/ids.js';

const UUID_V4_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const REGION_CODES: Record<string, string> = {
  越城区总工会: '330602',
  柯桥区总工会: '330603',
  上虞区总工会: '330604',
  诸暨市总工会: '330681',
  嵊州市总工会: '330683',
  新昌县总工会: '330624',
};

describe('seedId', () => {
  test('gives the same id for the same name on every call', () => {
    expect(seedId('unit:yuecheng')).toBe(seedId('unit:yuecheng'));
  });

  test('gives different ids for different names', () => {
    expect(seedId('unit:yuecheng')).not.toBe(seedId('unit:keqiao'));
  });

  test('is shaped like a version-4 UUID', () => {
    const ids = Array.from({ length: 200 }, (_, i) => seedId(`worker:${i}`));

    expect(ids.filter((id) => !UUID_V4_SHAPE.test(id))).toEqual([]);
  });
});

describe('mulberry32', () => {
  test('repeats its sequence for the same seed', () => {
    const first = mulberry32(42);
    const second = mulberry32(42);

    const a = Array.from({ length: 5 }, () => first());
    const b = Array.from({ length: 5 }, () => second());

    expect(a).toEqual(b);
    expect(a.every((value) => value >= 0 && value < 1)).toBe(true);
  });
});

describe('buildOrgTree', () => {
  const units = buildOrgTree();
  const countAt = (level: string) => units.filter((unit) => unit.level === level).length;

  test('has one city, six districts and at least two townships and four grassroots unions per district', () => {
    expect(countAt('city')).toBe(1);
    expect(countAt('district')).toBe(6);
    expect(countAt('township')).toBeGreaterThanOrEqual(12);
    expect(countAt('grassroots')).toBeGreaterThanOrEqual(24);
  });

  test('names the city and the six districts of Shaoxing', () => {
    const names = units.filter((unit) => unit.level !== 'township' && unit.level !== 'grassroots').map((u) => u.name);

    expect(names).toEqual(['绍兴市总工会', ...Object.keys(REGION_CODES)]);
  });

  test("builds every path from its parent's path plus its own id", () => {
    const byId = new Map(units.map((unit) => [unit.id, unit]));

    for (const unit of units) {
      const parentPath = unit.parentId === null ? '/' : byId.get(unit.parentId)?.path;
      expect(unit.path).toBe(`${parentPath}${unit.id}/`);
    }
    expect(units[0]?.path).toBe(`/${units[0]?.id}/`);
  });

  test('puts each level directly under the level above it', () => {
    const byId = new Map(units.map((unit) => [unit.id, unit]));
    const parentLevel = { city: undefined, district: 'city', township: 'district', grassroots: 'township' };

    for (const unit of units) {
      expect(unit.parentId === null ? undefined : byId.get(unit.parentId)?.level).toBe(parentLevel[unit.level]);
    }
  });

  test('gives every unit a distinct id and name, the same on every build', () => {
    expect(new Set(units.map((unit) => unit.id)).size).toBe(units.length);
    expect(new Set(units.map((unit) => unit.name)).size).toBe(units.length);
    expect(buildOrgTree()).toEqual(units);
  });
});

describe('buildStaffAccounts', () => {
  const units = buildOrgTree();
  const accounts = buildStaffAccounts(units);
  const usernames = accounts.map((account) => account.username);

  test('creates the city accounts with their fixed usernames, admin first', () => {
    expect(usernames.slice(0, 5)).toEqual([
      ADMIN_USERNAME,
      'city_supervisor',
      'city_caseworker',
      'trainer',
      'inspector',
    ]);
  });

  test('creates district, township and grassroots accounts named after the unit handle', () => {
    expect(usernames).toEqual(
      expect.arrayContaining([
        'yuecheng_admin',
        'keqiao_supervisor',
        'shangyu_caseworker',
        'zhuji_t1_supervisor',
        'shengzhou_t2_caseworker',
        'xinchang_t2_g2_caseworker',
      ]),
    );
    expect(new Set(usernames).size).toBe(accounts.length);
  });

  test('gives every grassroots union a caseworker', () => {
    const grassrootsIds = units.filter((unit) => unit.level === 'grassroots').map((unit) => unit.id);
    const caseworkerUnitIds = accounts.filter((a) => a.role === 'caseworker').map((account) => account.unitId);

    expect(caseworkerUnitIds).toEqual(expect.arrayContaining(grassrootsIds));
  });
});

describe('buildWorkers', () => {
  const units = buildOrgTree();
  const workers = buildWorkers(units, DEFAULT_WORKER_COUNT);
  const unitById = new Map(units.map((unit) => [unit.id, unit]));

  test('makes ID numbers that all pass the national check', () => {
    const failures = workers.filter((worker) => typeof checkIdNumber(worker.idNumber) === 'string');

    expect(workers).toHaveLength(DEFAULT_WORKER_COUNT);
    expect(failures).toEqual([]);
  });

  test("starts each ID number with the region code of the worker's district and a birth year from 1965 to 2000", () => {
    const byPath = (path: string) => units.find((unit) => unit.path === path);

    for (const worker of workers) {
      const unit = unitById.get(worker.unitId)!;
      const district = byPath(unit.path.split('/').slice(0, 3).join('/') + '/')!;
      const birthYear = Number(worker.idNumber.slice(6, 10));
      expect(worker.idNumber.slice(0, 6)).toBe(REGION_CODES[district.name]);
      expect(birthYear).toBeGreaterThanOrEqual(1965);
      expect(birthYear).toBeLessThanOrEqual(2000);
    }
  });

  test('never repeats an ID number', () => {
    expect(new Set(workers.map((worker) => worker.idNumber)).size).toBe(workers.length);
  });

  test('makes 11-digit phone numbers starting 13, 15 or 18', () => {
    expect(workers.filter((worker) => !/^1[358]\d{9}$/.test(worker.phone))).toEqual([]);
  });

  test("puts every tenth worker in the previous worker's household and unit, everyone else in a new household", () => {
    workers.forEach((worker, i) => {
      const previous = workers[i - 1];
      if ((i + 1) % 10 === 0) {
        expect([worker.householdId, worker.unitId]).toEqual([previous?.householdId, previous?.unitId]);
      } else {
        expect(worker.householdId).not.toBe(previous?.householdId);
      }
    });
    expect(new Set(workers.map((worker) => worker.householdId)).size).toBe(270);
  });

  test('places workers in grassroots unions only, and in every one of them', () => {
    const grassroots = units.filter((unit) => unit.level === 'grassroots');

    expect(workers.every((worker) => unitById.get(worker.unitId)?.level === 'grassroots')).toBe(true);
    expect(new Set(workers.map((worker) => worker.unitId)).size).toBe(grassroots.length);
  });

  test('marks roughly a tenth registered and a tenth borderline', () => {
    const share = (status: string) => workers.filter((worker) => worker.hardshipStatus === status).length / 300;

    expect(share('registered')).toBeGreaterThan(0.05);
    expect(share('registered')).toBeLessThan(0.15);
    expect(share('borderline')).toBeGreaterThan(0.05);
    expect(share('borderline')).toBeLessThan(0.15);
  });

  test('makes the same workers on every run, and a larger count extends a smaller one', () => {
    expect(buildWorkers(units, DEFAULT_WORKER_COUNT)).toEqual(workers);
    expect(buildWorkers(units, 60)).toEqual(workers.slice(0, 60));
  });
});

describe('CALENDAR_2026', () => {
  test('holds only 2026 dates, in order', () => {
    const dates = [...CALENDAR_2026.holidays, ...CALENDAR_2026.workdays];

    expect(CALENDAR_2026.year).toBe(2026);
    expect(dates.filter((date) => !/^2026-\d{2}-\d{2}$/.test(date))).toEqual([]);
    expect([...CALENDAR_2026.holidays].sort()).toEqual(CALENDAR_2026.holidays);
    expect([...CALENDAR_2026.workdays].sort()).toEqual(CALENDAR_2026.workdays);
  });

  test('never lists a date as both a holiday and a make-up working day', () => {
    const holidays = new Set(CALENDAR_2026.holidays);

    expect(CALENDAR_2026.workdays.filter((date) => holidays.has(date))).toEqual([]);
  });

  test('follows the State Council arrangement: 33 holidays including nine for Spring Festival, six make-up days', () => {
    expect(CALENDAR_2026.holidays).toHaveLength(33);
    expect(CALENDAR_2026.holidays.filter((date) => date >= '2026-02-15' && date <= '2026-02-23')).toHaveLength(9);
    expect(CALENDAR_2026.workdays).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
  });

  test('puts every make-up working day on a weekend', () => {
    const weekdays = CALENDAR_2026.workdays.map((date) => new Date(`${date}T00:00:00Z`).getUTCDay());

    expect(weekdays.every((day) => day === 0 || day === 6)).toBe(true);
  });
});
