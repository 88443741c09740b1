import { hashPassword } from '../api/auth/password.js';
import { withCreditCheck } from '../api/routes/training/credit-code.js';
import type { Db } from '../db/database.js';
import type { WorkHours } from '../workflows/shared/training-vocabulary.js';
import { buildOrgTree, DEFAULT_WORKER_COUNT, type SeedUnit } from './01-reference-data.js';
import { mulberry32, pick, randomInt, seedId } from './ids.js';

/**
 * Master data of the course-to-job programme (培训就业): the skill and certificate vocabularies, employment officers
 * and trainers, fictional enterprises with their job openings, and needs surveys of some seeded workers. Courses
 * are not seeded here: each course runs a workflow, so the demo creates them through the API (seeds/demo-training.ts).
 * Idempotent: fixed ids, conflict-ignoring inserts. Every enterprise and person is invented.
 */

export const SKILLS: readonly (readonly [code: string, label: string])[] = [
  ['drone_pilot', '无人机驾驶'],
  ['aerial_survey', '航拍测绘'],
  ['housekeeping', '家政服务'],
  ['infant_care', '育婴护理'],
  ['elderly_care', '养老护理'],
  ['cooking', '中式烹饪'],
  ['pastry', '中式面点'],
  ['electrician', '电工'],
  ['welder', '焊工'],
  ['forklift', '叉车'],
  ['cnc_machining', '数控车床'],
  ['textile_operator', '纺织挡车'],
  ['sewing', '缝纫'],
  ['ecommerce', '电子商务'],
  ['live_streaming', '直播营销'],
  ['logistics', '快递物流'],
  ['warehousing', '仓储管理'],
  ['cashier', '收银'],
  ['cleaning', '保洁'],
  ['plumbing', '水电维修'],
  ['auto_repair', '汽车维修'],
  ['office_software', '办公软件'],
  ['tea_art', '茶艺'],
  ['hairdressing', '美容美发'],
];

export const CERTIFICATES: readonly (readonly [code: string, label: string])[] = [
  ['uom_drone_pilot', '无人机驾驶员证'],
  ['electrician_permit', '电工特种作业操作证'],
  ['welder_permit', '焊工特种作业操作证'],
  ['forklift_permit', '叉车司机证'],
  ['housekeeping_cert', '家政服务员证书'],
  ['infant_care_cert', '育婴员证书'],
  ['elderly_care_cert', '养老护理员证书'],
  ['chef_cert', '中式烹调师证书'],
];

const DISTRICT_CODES = ['yuecheng', 'keqiao', 'shangyu', 'zhuji', 'shengzhou', 'xinchang'] as const;

const STAFF_NAMES = [...'林晓芸陈志远王丽华周建平金美琴徐海峰钱佳颖孙立新胡慧敏沈国强俞婷婷鲁文斌蔡雅琴何振宇'];

/**
 * Employment officers at the city, at every district and at one township (so that escalation can be seen to go to
 * the nearest unit upwards that has one), and a trainer at every district: `city_employment_officer`,
 * `<district>_employment_officer`, `yuecheng_t1_employment_officer`, `<district>_trainer`.
 */
export function trainingAccounts(units: readonly SeedUnit[]) {
  const byHandle = new Map(units.map((unit) => [unit.handle, unit]));
  const plan: { username: string; role: 'employment_officer' | 'trainer'; handle: string }[] = [
    { username: 'city_employment_officer', role: 'employment_officer', handle: 'city' },
    { username: 'yuecheng_t1_employment_officer', role: 'employment_officer', handle: 'yuecheng_t1' },
    ...DISTRICT_CODES.flatMap((code) => [
      { username: `${code}_employment_officer`, role: 'employment_officer' as const, handle: code },
      { username: `${code}_trainer`, role: 'trainer' as const, handle: code },
    ]),
  ];
  return plan.map((entry, i) => {
    const unit = byHandle.get(entry.handle)!;
    const name = `${STAFF_NAMES[(i * 3) % STAFF_NAMES.length]}${STAFF_NAMES[(i * 3 + 1) % STAFF_NAMES.length]}${STAFF_NAMES[(i * 3 + 2) % STAFF_NAMES.length]}`;
    return { id: seedId(`user:${entry.username}`), username: entry.username, role: entry.role, name, unit };
  });
}

interface SeedEnterprise {
  key: string;
  name: string;
  district: (typeof DISTRICT_CODES)[number] | 'city';
  industry: string;
  openings: {
    key: string;
    title: string;
    skills: string[];
    certificate?: string;
    payYuan: number;
    headcount: number;
    hours: WorkHours;
    /** Where the job is, when not in the enterprise's own district. */
    district?: (typeof DISTRICT_CODES)[number];
  }[];
}

// Every enterprise below is invented for the demo; any likeness to a real one is chance.
const ENTERPRISES: readonly SeedEnterprise[] = [
  {
    key: 'yunyi-drone',
    name: '绍兴云翼无人机科技有限公司',
    district: 'keqiao',
    industry: '低空经济',
    openings: [
      {
        key: 'pilot',
        title: '植保无人机飞手',
        skills: ['drone_pilot'],
        certificate: 'uom_drone_pilot',
        payYuan: 7500,
        headcount: 8,
        hours: 'full_time',
      },
      {
        key: 'survey',
        title: '航拍测绘员',
        skills: ['drone_pilot', 'aerial_survey', 'office_software'],
        certificate: 'uom_drone_pilot',
        payYuan: 8200,
        headcount: 3,
        hours: 'full_time',
      },
    ],
  },
  {
    key: 'anju-housekeeping',
    name: '越城安居家政服务有限公司',
    district: 'yuecheng',
    industry: '家政服务',
    openings: [
      {
        key: 'housekeeper',
        title: '住家保洁员',
        skills: ['housekeeping', 'cleaning'],
        payYuan: 5500,
        headcount: 20,
        hours: 'full_time',
      },
      {
        key: 'hourly',
        title: '钟点工（平台派单）',
        skills: ['housekeeping', 'cleaning'],
        payYuan: 3800,
        headcount: 30,
        hours: 'part_time',
      },
    ],
  },
  {
    key: 'baobei-infant',
    name: '柯桥宝贝母婴护理中心',
    district: 'keqiao',
    industry: '家政服务',
    openings: [
      {
        key: 'nanny',
        title: '育婴师',
        skills: ['infant_care', 'housekeeping'],
        certificate: 'infant_care_cert',
        payYuan: 8000,
        headcount: 6,
        hours: 'full_time',
      },
    ],
  },
  {
    key: 'zhijin-textile',
    name: '柯桥织锦纺织有限公司',
    district: 'keqiao',
    industry: '纺织',
    openings: [
      {
        key: 'operator',
        title: '喷气织机挡车工',
        skills: ['textile_operator'],
        payYuan: 6200,
        headcount: 15,
        hours: 'shifts',
      },
      { key: 'sewer', title: '缝纫工', skills: ['sewing'], payYuan: 5200, headcount: 10, hours: 'full_time' },
    ],
  },
  {
    key: 'jinggong-machinery',
    name: '上虞精工机械制造有限公司',
    district: 'shangyu',
    industry: '装备制造',
    openings: [
      { key: 'cnc', title: '数控车床操作工', skills: ['cnc_machining'], payYuan: 6800, headcount: 6, hours: 'shifts' },
      {
        key: 'maintenance',
        title: '设备维修电工',
        skills: ['electrician', 'welder', 'plumbing'],
        certificate: 'electrician_permit',
        payYuan: 7200,
        headcount: 2,
        hours: 'full_time',
      },
      {
        key: 'welder',
        title: '电焊工',
        skills: ['welder'],
        certificate: 'welder_permit',
        payYuan: 7000,
        headcount: 4,
        hours: 'full_time',
      },
    ],
  },
  {
    key: 'youpin-ecommerce',
    name: '诸暨优品电商有限公司',
    district: 'zhuji',
    industry: '电子商务',
    openings: [
      {
        key: 'anchor',
        title: '珍珠直播带货主播',
        skills: ['live_streaming', 'ecommerce'],
        payYuan: 6500,
        headcount: 5,
        hours: 'shifts',
      },
      {
        key: 'service',
        title: '网店客服',
        skills: ['ecommerce', 'office_software'],
        payYuan: 4500,
        headcount: 8,
        hours: 'part_time',
      },
    ],
  },
  {
    key: 'nuanxin-care',
    name: '嵊州暖心养老服务中心',
    district: 'shengzhou',
    industry: '养老服务',
    openings: [
      {
        key: 'carer',
        title: '养老护理员',
        skills: ['elderly_care'],
        certificate: 'elderly_care_cert',
        payYuan: 5800,
        headcount: 12,
        hours: 'shifts',
      },
    ],
  },
  {
    key: 'shunda-logistics',
    name: '新昌顺达物流有限公司',
    district: 'xinchang',
    industry: '物流',
    openings: [
      {
        key: 'forklift',
        title: '叉车司机',
        skills: ['forklift', 'warehousing'],
        certificate: 'forklift_permit',
        payYuan: 6600,
        headcount: 4,
        hours: 'shifts',
      },
      {
        key: 'sorter',
        title: '快递分拣员',
        skills: ['logistics', 'warehousing'],
        payYuan: 5000,
        headcount: 20,
        hours: 'shifts',
      },
    ],
  },
  {
    key: 'chengtou-property',
    name: '绍兴城投物业服务有限公司',
    district: 'city',
    industry: '物业服务',
    openings: [
      {
        key: 'cleaner',
        title: '物业保洁员',
        skills: ['cleaning'],
        payYuan: 4200,
        headcount: 25,
        hours: 'full_time',
        district: 'yuecheng',
      },
      {
        key: 'repair',
        title: '物业水电维修工',
        skills: ['plumbing', 'electrician'],
        payYuan: 6000,
        headcount: 5,
        hours: 'full_time',
        district: 'keqiao',
      },
    ],
  },
  {
    key: 'weidao-catering',
    name: '越城味道餐饮管理有限公司',
    district: 'yuecheng',
    industry: '餐饮',
    openings: [
      {
        key: 'cook',
        title: '中餐厨师',
        skills: ['cooking'],
        certificate: 'chef_cert',
        payYuan: 7000,
        headcount: 3,
        hours: 'full_time',
      },
      {
        key: 'dimsum',
        title: '面点师',
        skills: ['pastry', 'cooking'],
        payYuan: 5600,
        headcount: 4,
        hours: 'full_time',
      },
      { key: 'cashier', title: '门店收银员', skills: ['cashier'], payYuan: 4000, headcount: 6, hours: 'part_time' },
    ],
  },
];

/** A fictional credit code: legal-entity prefix 91, the district's region code, a counter, and its check character. */
const creditCodeFor = (regionCode: string, index: number) =>
  withCreditCheck(`91${regionCode}MA${String(index).padStart(7, '0')}`);

export function buildEnterprises(units: readonly SeedUnit[]) {
  const byHandle = new Map(units.map((unit) => [unit.handle, unit]));
  return ENTERPRISES.map((enterprise, i) => {
    const unit = byHandle.get(enterprise.district)!;
    return {
      id: seedId(`enterprise:${enterprise.key}`),
      name: enterprise.name,
      creditCode: creditCodeFor(unit.regionCode, i + 1),
      unit,
      industry: enterprise.industry,
      openings: enterprise.openings.map((opening) => ({
        ...opening,
        id: seedId(`opening:${enterprise.key}:${opening.key}`),
        districtId: byHandle.get(
          opening.district ?? (enterprise.district === 'city' ? 'yuecheng' : enterprise.district),
        )!.id,
      })),
    };
  });
}

const SURVEYED_WORKERS = 36;
const SURVEY_RANDOM_SEED = 20_261_205;

/** Needs surveys of the first seeded workers: a few skills held, one or two wished for, constraints now and then. */
export function buildSurveys(units: readonly SeedUnit[], workerCount: number) {
  const random = mulberry32(SURVEY_RANDOM_SEED);
  const districts = units.filter((unit) => unit.level === 'district');
  const codes = SKILLS.map(([code]) => code);
  return Array.from({ length: Math.min(SURVEYED_WORKERS, workerCount) }, (_, i) => {
    const held = new Set<string>();
    for (let k = randomInt(random, 3); k >= 0; k--) {
      held.add(pick(random, codes));
    }
    const wished = new Set<string>([pick(random, codes)].filter((code) => !held.has(code)));
    const hours: WorkHours[] = random() < 0.3 ? ['part_time'] : ['full_time', 'part_time', 'shifts'];
    return {
      id: seedId(`survey:${i + 1}`),
      workerId: seedId(`worker:${i + 1}`),
      skills: [...held],
      wishedSkills: [...wished],
      hours,
      districtIds: random() < 0.2 ? [pick(random, districts).id] : [],
      wishedPayFen: random() < 0.6 ? (40 + randomInt(random, 40)) * 10_000 : null,
    };
  });
}

export interface TrainingSeedOptions {
  demoPassword: string;
  workerCount?: number;
}

/** Loads the training master data; answers how many rows it added (zero on a repeat run). */
export async function seedTraining(db: Db, options: TrainingSeedOptions): Promise<number> {
  const units = buildOrgTree();
  const accounts = trainingAccounts(units);
  const enterprises = buildEnterprises(units);
  const passwordHash = await hashPassword(options.demoPassword);
  const workerIds = new Set((await db.selectFrom('worker').select('id').execute()).map((row) => row.id));
  const surveys = buildSurveys(units, options.workerCount ?? DEFAULT_WORKER_COUNT).filter((s) =>
    workerIds.has(s.workerId),
  );
  const added = (result: { numInsertedOrUpdatedRows?: bigint }[]) =>
    result.reduce((sum, row) => sum + Number(row.numInsertedOrUpdatedRows ?? 0), 0);

  return db.transaction().execute(async (trx) => {
    let count = 0;
    count += added(
      await trx
        .insertInto('skill')
        .values(SKILLS.map(([code, label]) => ({ id: seedId(`skill:${code}`), code, label })))
        .onConflict((oc) => oc.doNothing())
        .execute(),
    );
    count += added(
      await trx
        .insertInto('certificate_type')
        .values(CERTIFICATES.map(([code, label]) => ({ id: seedId(`certificate:${code}`), code, label })))
        .onConflict((oc) => oc.doNothing())
        .execute(),
    );
    count += added(
      await trx
        .insertInto('app_user')
        .values(
          accounts.map((account) => ({
            id: account.id,
            username: account.username,
            password_hash: passwordHash,
            name: account.name,
            role: account.role,
            unit_id: account.unit.id,
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute(),
    );
    count += added(
      await trx
        .insertInto('enterprise')
        .values(
          enterprises.map((e) => ({
            id: e.id,
            name: e.name,
            credit_code: e.creditCode,
            unit_id: e.unit.id,
            unit_path: e.unit.path,
            industry: e.industry,
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute(),
    );
    count += added(
      await trx
        .insertInto('job_opening')
        .values(
          enterprises.flatMap((e) =>
            e.openings.map((o) => ({
              id: o.id,
              enterprise_id: e.id,
              owner_unit_id: e.unit.id,
              owner_unit_path: e.unit.path,
              title: o.title,
              skills: o.skills,
              certificate_code: o.certificate ?? null,
              district_id: o.districtId,
              monthly_pay_fen: o.payYuan * 100,
              headcount: o.headcount,
              hours: o.hours,
            })),
          ),
        )
        .onConflict((oc) => oc.doNothing())
        .execute(),
    );
    if (surveys.length > 0) {
      const paths = new Map(
        (
          await trx
            .selectFrom('worker as w')
            .innerJoin('org_unit as o', 'o.id', 'w.unit_id')
            .select(['w.id', 'o.path'])
            .where(
              'w.id',
              'in',
              surveys.map((s) => s.workerId),
            )
            .execute()
        ).map((row) => [row.id, row.path]),
      );
      count += added(
        await trx
          .insertInto('needs_survey')
          .values(
            surveys.map((s) => ({
              id: s.id,
              worker_id: s.workerId,
              worker_unit_path: paths.get(s.workerId)!,
              skills: s.skills,
              wished_skills: s.wishedSkills,
              hours: s.hours,
              district_ids: s.districtIds,
              wished_pay_fen: s.wishedPayFen,
            })),
          )
          .onConflict((oc) => oc.doNothing())
          .execute(),
      );
    }
    return count;
  });
}
