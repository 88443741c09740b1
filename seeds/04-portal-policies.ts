import { checkConditions, type PolicyCondition } from '../api/routes/portal/eligibility.js';
import type { Db } from '../db/database.js';
import { seedId } from './ids.js';

/** One policy of the demo policy list. */
export interface SeedPolicy {
  code: string;
  title: string;
  summary: string;
  contact: string;
  conditions: PolicyCondition[];
  validFrom: string;
  validTo?: string;
}

const HOTLINE = '所在基层工会，或拨打职工服务热线 12351';
const YUECHENG = seedId('unit:yuecheng');
const KEQIAO = seedId('unit:keqiao');

// The wording of every policy below is written for the demo. The kinds of help follow what Chinese unions offer
// (生活救助, 金秋助学, 女职工互助保障...), but the standards, amounts and rules are invented.
export const PORTAL_POLICIES: readonly SeedPolicy[] = [
  {
    code: 'city-registered-living-aid',
    title: '建档困难职工生活救助',
    summary:
      '建档困难职工家庭因病、因学、因灾等原因基本生活困难的，可按年度申请生活救助金，标准按当年送温暖资金安排确定。',
    contact: HOTLINE,
    conditions: [{ kind: 'hardship_status', in: ['registered'] }],
    validFrom: '2026-01-01',
  },
  {
    code: 'city-borderline-temporary-aid',
    title: '临界困难职工临时救助',
    summary: '家庭收入略高于困难职工认定标准、遭遇突发困难的临界困难职工，可申请一次性临时救助，防止返困致困。',
    contact: HOTLINE,
    conditions: [{ kind: 'hardship_status', in: ['borderline'] }],
    validFrom: '2026-01-01',
  },
  {
    code: 'city-serious-illness-aid',
    title: '职工大病医疗救助',
    summary: '职工本人患大病或当年自付医疗费用较高的，在医保报销后可申请工会医疗救助，按自付金额分档补助。',
    contact: '所在基层工会，携带住院病历与费用结算单',
    conditions: [
      {
        kind: 'any',
        of: [
          { kind: 'feed', feedKind: 'serious_illness', withinDays: 365 },
          { kind: 'feed', feedKind: 'medical_expense', withinDays: 365 },
          { kind: 'case', category: 'medical', status: 'any' },
        ],
      },
    ],
    validFrom: '2026-01-01',
  },
  {
    code: 'city-golden-autumn-tuition',
    title: '金秋助学',
    summary: '建档及临界困难职工家庭子女当年考入或就读高中、大学的，可申请一次性助学金。',
    contact: '所在基层工会，每年 7 月至 9 月集中受理',
    conditions: [
      { kind: 'hardship_status', in: ['registered', 'borderline'] },
      {
        kind: 'any',
        of: [
          { kind: 'feed', feedKind: 'child_tuition', withinDays: 365 },
          { kind: 'case', category: 'education', status: 'any' },
        ],
      },
    ],
    validFrom: '2026-01-01',
  },
  {
    code: 'city-disabled-worker-care',
    title: '残疾职工关爱帮扶',
    summary: '持有残疾证的职工可申请年度关爱慰问，并优先推荐参加适合的技能培训与就业岗位。',
    contact: HOTLINE,
    conditions: [{ kind: 'feed', feedKind: 'disability_certificate' }],
    validFrom: '2026-01-01',
  },
  {
    code: 'city-reemployment-training',
    title: '失业职工免费技能培训',
    summary: '近半年内办理失业登记的职工可免费参加工会举办的技能培训，培训结束后参加专场招聘会。',
    contact: '所在区县（市）总工会职工服务中心',
    conditions: [
      { kind: 'feed', feedKind: 'unemployment_registration', withinDays: 180 },
      { kind: 'age', min: 16, max: 60 },
    ],
    validFrom: '2026-01-01',
  },
  {
    code: 'city-women-health-mutual',
    title: '女职工安康互助保障',
    summary: '在职女职工可由所在工会统一参加安康互助保障，罹患特定女性疾病的可按规定获得互助金。',
    contact: '所在基层工会女职工委员会',
    conditions: [
      { kind: 'gender', is: 'female' },
      { kind: 'age', min: 18, max: 60 },
    ],
    validFrom: '2026-01-01',
  },
  {
    code: 'city-older-worker-employment',
    title: '大龄职工就业援助',
    summary: '45 周岁以上、有就业困难的职工，可获得一对一求职指导和公益性岗位推荐。',
    contact: '所在区县（市）总工会职工服务中心',
    conditions: [
      { kind: 'age', min: 45, max: 60 },
      {
        kind: 'any',
        of: [
          { kind: 'feed', feedKind: 'unemployment_registration', withinDays: 365 },
          { kind: 'case', category: 'employment', status: 'any' },
        ],
      },
    ],
    validFrom: '2026-01-01',
  },
  {
    code: 'city-unpaid-wages-legal-aid',
    title: '欠薪职工法律援助',
    summary: '被拖欠工资的职工可获得工会法律援助律师的免费咨询、调解和代理服务。',
    contact: '所在区县（市）总工会法律援助站',
    conditions: [
      {
        kind: 'any',
        of: [
          { kind: 'feed', feedKind: 'unpaid_wages', withinDays: 365 },
          { kind: 'case', category: 'legal', status: 'any' },
        ],
      },
    ],
    validFrom: '2026-01-01',
  },
  {
    code: 'city-member-legal-consultation',
    title: '职工免费法律咨询',
    summary: '全体工会会员均可预约劳动合同、工资、工伤等方面的免费法律咨询。',
    contact: '所在区县（市）总工会法律援助站，或拨打 12351',
    conditions: [],
    validFrom: '2026-01-01',
  },
  {
    code: 'keqiao-festival-visit',
    title: '柯桥区困难职工节日慰问',
    summary: '柯桥区总工会在春节、端午、中秋前走访慰问辖区内建档及临界困难职工家庭。',
    contact: '柯桥区总工会权益保障部',
    conditions: [
      { kind: 'within_unit', unitIds: [KEQIAO] },
      { kind: 'hardship_status', in: ['registered', 'borderline'] },
    ],
    validFrom: '2026-01-01',
  },
  {
    code: 'yuecheng-medical-top-up',
    title: '越城区职工医疗费用补充救助',
    summary: '越城区所辖工会的职工当年医保报销后自付医疗费用较高的，可申请补充救助。',
    contact: '越城区总工会职工服务中心',
    conditions: [
      { kind: 'within_unit', unitIds: [YUECHENG] },
      { kind: 'feed', feedKind: 'medical_expense', withinDays: 365 },
    ],
    validFrom: '2026-01-01',
  },
  {
    code: 'city-disaster-emergency-aid',
    title: '因灾因意外应急救助',
    summary: '职工家庭遭遇自然灾害、火灾或意外事故的，可申请应急救助，紧急情况先行救助、后补手续。',
    contact: '所在基层工会（24 小时内受理）',
    conditions: [
      {
        kind: 'any',
        of: [
          { kind: 'feed', feedKind: 'disaster_accident', withinDays: 180 },
          { kind: 'case', category: 'emergency', status: 'open' },
        ],
      },
    ],
    validFrom: '2026-01-01',
  },
  {
    code: 'city-low-income-family-aid',
    title: '低保及低收入家庭职工专项帮扶',
    summary: '家庭享受最低生活保障或被认定为低收入家庭的职工，可纳入工会常态化帮扶并申请年度补助。',
    contact: HOTLINE,
    conditions: [
      {
        kind: 'any',
        of: [
          { kind: 'feed', feedKind: 'minimum_living_allowance', withinDays: 365 },
          { kind: 'feed', feedKind: 'low_income', withinDays: 365 },
        ],
      },
    ],
    validFrom: '2026-01-01',
  },
  {
    code: 'city-work-injury-care',
    title: '工伤职工关爱慰问',
    summary: '近一年内发生工伤的职工可获得工会慰问，并可申请工伤认定、劳动能力鉴定方面的维权帮助。',
    contact: '所在基层工会',
    conditions: [{ kind: 'feed', feedKind: 'work_injury', withinDays: 365 }],
    validFrom: '2026-01-01',
  },
  {
    code: 'city-department-help-follow-up',
    title: '部门救助衔接帮扶',
    summary: '已获得民政、人社等部门救助的困难职工，工会在部门救助之外按需补充帮扶，避免重复或遗漏。',
    contact: HOTLINE,
    conditions: [
      { kind: 'department_help', withinDays: 365 },
      { kind: 'hardship_status', in: ['registered', 'borderline'] },
    ],
    validFrom: '2026-01-01',
  },
  {
    code: 'city-2025-spring-warmth',
    title: '2025 年春节送温暖专项（已结束）',
    summary: '2025 年春节前对建档困难职工的集中走访慰问，已于 2025 年 2 月底结束。',
    contact: HOTLINE,
    conditions: [{ kind: 'hardship_status', in: ['registered'] }],
    validFrom: '2024-12-01',
    validTo: '2025-02-28',
  },
];

/**
 * Loads the demo policy list: fixed ids from each policy's code, conflict-ignoring inserts, so a repeat run adds
 * nothing and never overwrites a policy an admin has since edited. Every policy's conditions pass the same checks
 * as the staff API. Returns how many policies this run added.
 */
export async function seedPortalPolicies(db: Db): Promise<number> {
  for (const policy of PORTAL_POLICIES) {
    const problems = checkConditions(policy.conditions);
    if (problems.length > 0) {
      throw new Error(`Seed policy ${policy.code} has invalid conditions: ${JSON.stringify(problems)}`);
    }
  }
  const result = await db
    .insertInto('assistance_policy')
    .values(
      PORTAL_POLICIES.map((policy) => ({
        id: seedId(`policy:${policy.code}`),
        code: policy.code,
        title: policy.title,
        summary: policy.summary,
        contact: policy.contact,
        conditions: JSON.stringify(policy.conditions),
        valid_from: policy.validFrom,
        valid_to: policy.validTo ?? null,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}
