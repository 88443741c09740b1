import type { Insertable } from 'kysely';
import { hashPassword } from '../api/auth/password.js';
import type { Db } from '../db/database.js';
import { encrypt, maskPhone, type PersonalDataKeys } from '../db/personal-data.js';
import type { StationTable } from '../db/tables/station.table.js';
import {
  openRanges,
  roundTheClock,
  toMultirange,
  type OpeningHours,
  type OpeningInterval,
} from '../workflows/shared/opening-hours.js';
import { STATION_SERVICES, type StationService, type StationType } from '../workflows/shared/station-vocabulary.js';
import { buildOrgTree, type SeedUnit } from './01-reference-data.js';
import { mulberry32, pick, randomInt, seedId } from './ids.js';

const STATION_RANDOM_SEED = 5_100_100;

interface DistrictStations {
  code: string;
  /** How the district is written in an address. */
  label: string;
  /** Roughly the district's urban centre (WGS-84); stations are spread within about 4 km of it. */
  centre: { lat: number; lng: number };
  counts: Record<StationType, number>;
  roads: readonly string[];
}

// Road names are those of the real towns; house numbers, venues and people are invented for the demo.
const DISTRICTS: readonly DistrictStations[] = [
  {
    code: 'yuecheng',
    label: '越城区',
    centre: { lat: 30.0, lng: 120.58 },
    counts: { benchmark: 4, '24h': 2, standard: 16 },
    roads: ['解放北路', '中兴中路', '胜利东路', '环城西路', '延安路', '人民中路', '凤林西路', '二环北路', '城南大道'],
  },
  {
    code: 'keqiao',
    label: '柯桥区',
    centre: { lat: 30.085, lng: 120.495 },
    counts: { benchmark: 3, '24h': 2, standard: 15 },
    roads: ['柯桥大道', '笛扬路', '群贤路', '金柯桥大道', '湖西路', '鉴湖路', '华齐路', '钱陶公路'],
  },
  {
    code: 'shangyu',
    label: '上虞区',
    centre: { lat: 30.03, lng: 120.87 },
    counts: { benchmark: 3, '24h': 2, standard: 11 },
    roads: ['人民大道', '市民大道', '百官路', '江扬路', '曹娥路', '舜江路', '凤鸣路'],
  },
  {
    code: 'zhuji',
    label: '诸暨市',
    centre: { lat: 29.715, lng: 120.245 },
    counts: { benchmark: 3, '24h': 1, standard: 12 },
    roads: ['艮塔路', '暨阳路', '望云路', '东二路', '浣东北路', '城西路', '江东路'],
  },
  {
    code: 'shengzhou',
    label: '嵊州市',
    centre: { lat: 29.59, lng: 120.82 },
    counts: { benchmark: 2, '24h': 1, standard: 10 },
    roads: ['剡湖路', '官河路', '北直街', '东南路', '罗东路', '鹿山路'],
  },
  {
    code: 'xinchang',
    label: '新昌县',
    centre: { lat: 29.5, lng: 120.905 },
    counts: { benchmark: 2, '24h': 1, standard: 10 },
    roads: ['人民中路', '鼓山西路', '七星路', '江滨路', '新昌大道', '南明路'],
  },
];

/** How far from its district's centre a seeded station may lie, in degrees (about 3.9 km north-south). */
export const SEED_SPREAD = { lat: 0.035, lng: 0.045 } as const;

const SURNAMES = [...'王陈张李徐周金钱孙胡沈俞鲁蔡何杨吴赵朱马章宋楼袁'];
const GIVEN = [...'立新建华秀兰玉梅志刚春燕国平晓东丽萍海军红英'];

export interface SeedStation {
  id: string;
  district: string;
  name: string;
  type: StationType;
  latitude: number;
  longitude: number;
  address: string;
  services: StationService[];
  hours: OpeningHours;
  owner: SeedUnit;
  responsibleName: string;
  responsiblePhone: string;
}

const day = (intervals: OpeningInterval[]) => intervals.map((interval) => ({ ...interval }));
const range = (opens: string, closes: string): OpeningInterval => ({ opens, closes });

/** The hours a standard station keeps, one of three patterns seen in practice. */
function standardHours(random: () => number): OpeningHours {
  const pattern = randomInt(random, 3);
  if (pattern === 0) {
    const weekday = [range('08:00', '20:00')];
    const weekend = [range('09:00', '18:00')];
    return {
      mon: day(weekday),
      tue: day(weekday),
      wed: day(weekday),
      thu: day(weekday),
      fri: day(weekday),
      sat: day(weekend),
      sun: day(weekend),
      holiday: [range('09:00', '17:00')],
    };
  }
  if (pattern === 1) {
    const daily = [range('07:30', '19:30')];
    return {
      mon: day(daily),
      tue: day(daily),
      wed: day(daily),
      thu: day(daily),
      fri: day(daily),
      sat: day(daily),
      sun: day(daily),
    };
  }
  const split = [range('08:30', '12:00'), range('13:30', '21:00')];
  return {
    mon: day(split),
    tue: day(split),
    wed: day(split),
    thu: day(split),
    fri: day(split),
    sat: [range('09:00', '17:00')],
    sun: [],
    holiday: [],
  };
}

function benchmarkHours(): OpeningHours {
  const daily = [range('07:00', '22:00')];
  return {
    mon: day(daily),
    tue: day(daily),
    wed: day(daily),
    thu: day(daily),
    fri: day(daily),
    sat: day(daily),
    sun: day(daily),
    holiday: [range('08:00', '20:00')],
  };
}

const BASE_SERVICES: StationService[] = ['water', 'charging', 'rest_seats'];
const ROUND_THE_CLOCK_SERVICES: StationService[] = [
  'water',
  'hot_water',
  'microwave',
  'charging',
  'toilet',
  'rest_seats',
  'first_aid',
  'air_conditioning',
];
const OPTIONAL_SERVICES = STATION_SERVICES.filter((service) => !BASE_SERVICES.includes(service));

function servicesOf(type: StationType, random: () => number): StationService[] {
  if (type === 'benchmark') {
    return [...STATION_SERVICES];
  }
  if (type === '24h') {
    return [...ROUND_THE_CLOCK_SERVICES];
  }
  const extra = OPTIONAL_SERVICES.filter(() => random() < 0.5);
  return STATION_SERVICES.filter((service) => BASE_SERVICES.includes(service) || extra.includes(service));
}

const CHINESE_NUMERALS = ['', '二', '三', '四'];

/**
 * The programme's 100 stations (DOMAIN.md): 17 benchmark, 9 open 24 hours and 74 standard, spread over the six
 * districts within a few kilometres of each district's centre, owned in turn by the district federation and its
 * two townships, every one in service. The same list on every call.
 */
export function buildStations(units: readonly SeedUnit[] = buildOrgTree()): SeedStation[] {
  const random = mulberry32(STATION_RANDOM_SEED);
  const stations: SeedStation[] = [];
  for (const district of DISTRICTS) {
    const owners = [district.code, `${district.code}_t1`, `${district.code}_t2`].map((handle) => {
      const unit = units.find((u) => u.handle === handle);
      if (!unit) {
        throw new Error(`The org tree has no unit ${handle}`);
      }
      return unit;
    });
    const types = (['benchmark', '24h', 'standard'] as const).flatMap((type) =>
      Array.from({ length: district.counts[type] }, () => type),
    );
    const roadUses = new Map<string, number>();
    types.forEach((type, index) => {
      const road = district.roads[index % district.roads.length]!;
      const use = roadUses.get(road) ?? 0;
      roadUses.set(road, use + 1);
      const name = `${road}越工驿站${use > 0 ? `（${CHINESE_NUMERALS[use]}）` : ''}`;
      const latitude = district.centre.lat + (random() * 2 - 1) * SEED_SPREAD.lat;
      const longitude = district.centre.lng + (random() * 2 - 1) * SEED_SPREAD.lng;
      const surname = pick(random, SURNAMES);
      const given = pick(random, GIVEN) + (random() < 0.6 ? pick(random, GIVEN) : '');
      stations.push({
        id: seedId(`station:${district.code}:${index + 1}`),
        district: district.code,
        name,
        type,
        latitude: Math.round(latitude * 1e6) / 1e6,
        longitude: Math.round(longitude * 1e6) / 1e6,
        address: `${district.label}${road} ${10 + randomInt(random, 590)} 号`,
        services: servicesOf(type, random),
        hours: type === '24h' ? roundTheClock() : type === 'benchmark' ? benchmarkHours() : standardHours(random),
        owner: owners[index % owners.length]!,
        responsibleName: surname + given,
        responsiblePhone: pick(random, ['135', '137', '158', '189']) + String(randomInt(random, 1e8)).padStart(8, '0'),
      });
    });
  }
  return stations;
}

export interface SeedActivity {
  id: string;
  stationId: string;
  date: string;
  title: string;
  participants: number;
}

const ACTIVITY_TITLES = [
  '夏季送清凉',
  '户外劳动者健康义诊',
  '法律援助进驿站',
  '电动车安全骑行讲座',
  '爱心早餐',
  '中秋慰问',
  '急救知识培训',
  '冬季送温暖',
  '职工书屋读书会',
];

const FIRST_SEED_DATE = Date.UTC(2026, 6, 1);

/** 126 activities held at the stations (DOMAIN.md), on fixed dates from July to November 2026. */
export function buildStationActivities(stations: readonly SeedStation[] = buildStations()): SeedActivity[] {
  const random = mulberry32(STATION_RANDOM_SEED + 1);
  return Array.from({ length: 126 }, (_, n) => ({
    id: seedId(`station-activity:${n + 1}`),
    stationId: stations[(n * 7) % stations.length]!.id,
    date: new Date(FIRST_SEED_DATE + ((n * 37) % 150) * 86_400_000).toISOString().slice(0, 10),
    title: pick(random, ACTIVITY_TITLES),
    participants: 8 + randomInt(random, 53),
  }));
}

export interface SeedVisit {
  stationId: string;
  date: string;
  visitors: number;
}

/**
 * Visitor counts reported on each Monday from 6 July to 30 November 2026 (22 days per station): a little over
 * the programme's 18,000 visits in all, busier at benchmark and 24-hour stations.
 */
export function buildStationVisits(stations: readonly SeedStation[] = buildStations()): SeedVisit[] {
  const random = mulberry32(STATION_RANDOM_SEED + 2);
  const mondays = Array.from({ length: 22 }, (_, w) =>
    new Date(Date.UTC(2026, 6, 6) + w * 7 * 86_400_000).toISOString().slice(0, 10),
  );
  return stations.flatMap((station) =>
    mondays.map((date) => ({
      stationId: station.id,
      date,
      visitors: (station.type === 'standard' ? 4 : 9) + randomInt(random, 7),
    })),
  );
}

export interface StationSeedOptions {
  demoPassword: string;
  keys: PersonalDataKeys;
}

/**
 * Loads the stations, an inspector account for each district (`<district>_inspector`; the city already has
 * `inspector`), the activities and the visits. Idempotent: fixed ids and conflict-ignoring inserts, so a repeat
 * run adds nothing and overwrites nothing (a station edited in the demo keeps its edits). Returns rows added.
 */
export async function seedStations(db: Db, options: StationSeedOptions): Promise<Record<string, number>> {
  const units = buildOrgTree();
  const stations = buildStations(units);
  const passwordHash = await hashPassword(options.demoPassword);
  const inspectors = units
    .filter((unit) => unit.level === 'district')
    .map((unit, i) => ({
      id: seedId(`user:${unit.handle}_inspector`),
      username: `${unit.handle}_inspector`,
      password_hash: passwordHash,
      name: `${SURNAMES[(i * 5) % SURNAMES.length]}${GIVEN[(i * 3) % GIVEN.length]}${GIVEN[(i * 7 + 1) % GIVEN.length]}`,
      role: 'inspector' as const,
      unit_id: unit.id,
    }));
  const stationRows: Insertable<StationTable>[] = stations.map((station) => {
    const ranges = openRanges(station.hours);
    return {
      id: station.id,
      name: station.name,
      type: station.type,
      status: 'open',
      latitude: station.latitude,
      longitude: station.longitude,
      address: station.address,
      services: station.services,
      hours: JSON.stringify(station.hours),
      weekly_open: toMultirange(ranges.weekly),
      holiday_open: ranges.holiday ? toMultirange(ranges.holiday) : null,
      owner_unit_id: station.owner.id,
      owner_unit_path: station.owner.path,
      responsible_name: station.responsibleName,
      responsible_phone_enc: encrypt(station.responsiblePhone, options.keys.encryptionKey),
      responsible_phone_masked: maskPhone(station.responsiblePhone),
    };
  });

  return db.transaction().execute(async (trx) => {
    const added = (rows: { numInsertedOrUpdatedRows?: bigint }[]) =>
      rows.reduce((sum, row) => sum + Number(row.numInsertedOrUpdatedRows ?? 0), 0);
    return {
      inspectors: added(
        await trx
          .insertInto('app_user')
          .values(inspectors)
          .onConflict((oc) => oc.doNothing())
          .execute(),
      ),
      stations: added(
        await trx
          .insertInto('station')
          .values(stationRows)
          .onConflict((oc) => oc.doNothing())
          .execute(),
      ),
      activities: added(
        await trx
          .insertInto('station_activity')
          .values(
            buildStationActivities(stations).map((activity) => ({
              id: activity.id,
              station_id: activity.stationId,
              held_on: activity.date,
              title: activity.title,
              participants: activity.participants,
            })),
          )
          .onConflict((oc) => oc.doNothing())
          .execute(),
      ),
      visits: added(
        await trx
          .insertInto('station_visit')
          .values(
            buildStationVisits(stations).map((visit) => ({
              station_id: visit.stationId,
              visit_date: visit.date,
              visitors: visit.visitors,
            })),
          )
          .onConflict((oc) => oc.doNothing())
          .execute(),
      ),
    };
  });
}
