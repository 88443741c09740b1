import { count, yuan } from '../../../shared/format.js';
import type { ThresholdSpec } from '../../data-perception.js';

/** Chinese words for perception's codes: the API's own labels (shared), needed before any data arrives. */

export {
  GROUP_LABELS,
  LAPSED_REASON_LABELS,
  LEAD_STATUS_LABELS,
} from '../../../../../../workflows/shared/perception-vocabulary.js';

export const SCAN_STATUS_LABELS: Record<string, string> = {
  running: '进行中',
  completed: '已完成',
  skipped: '未运行（已有扫描在进行）',
  failed: '失败',
  abandoned: '已中止',
};

export const SCAN_TRIGGER_LABELS: Record<string, string> = {
  manual: '手动发起',
  schedule: '每日定时',
};

const FIGURE_LABELS: Record<string, string> = {
  months: '统计月数',
  days: '天数',
  minDays: '天数预警线',
  minMonths: '月数预警线',
  totalFen: '合计金额',
  minFen: '金额预警线',
  maxFen: '金额上限',
  incomeFen: '收入',
  lossFen: '损失金额',
  medicalFen: '医疗费用',
  owedFen: '被拖欠金额',
  visits: '就医次数',
  minVisits: '就医次数预警线',
  stays: '住院次数',
  minStays: '住院次数预警线',
  cases: '记录数',
  records: '记录数',
  times: '次数',
  kinds: '困难种类数',
  minKinds: '种类数预警线',
  grade: '等级',
  maxGrade: '等级预警线',
  relation: '涉及家庭成员',
  situation: '住房情况',
  since: '起始日期',
  lastHelpOn: '最近一次帮扶日期',
  latestTuitionOn: '最近一次学费记录日期',
  spouseDiedOn: '配偶去世日期',
  struckOn: '发生日期',
};

const VALUE_LABELS: Record<string, string> = {
  self: '本人',
  spouse: '配偶',
  child: '子女',
  parent: '父母',
  no_housing: '无房',
  dilapidated: '危房',
  overcrowded: '住房拥挤',
};

export const figureLabel = (key: string): string => FIGURE_LABELS[key] ?? key;

/** A figure of a lead's reason as a person reads it: money in yuan, counts grouped, codes in words. */
export function figureValue(key: string, value: unknown): string {
  if (value === null || value === undefined) {
    return '—';
  }
  if (typeof value === 'number') {
    if (key.endsWith('Fen')) {
      return yuan(value);
    }
    if (key === 'months' || key === 'minMonths') {
      return `${value} 个月`;
    }
    if (key === 'days' || key === 'minDays') {
      return `${value} 天`;
    }
    return count(value);
  }
  if (typeof value === 'string') {
    return VALUE_LABELS[value] ?? value;
  }
  return JSON.stringify(value);
}

/** A rule threshold with its unit: "30,000.00 元", "12 个月", "3 级". */
export function thresholdValue(spec: ThresholdSpec | undefined, value: number | undefined): string {
  if (value === undefined) {
    return '—';
  }
  switch (spec?.unit) {
    case 'fen':
      return yuan(value);
    case 'months':
      return `${value} 个月`;
    case 'days':
      return `${value} 天`;
    case 'grade':
      return `${value} 级`;
    default:
      return count(value);
  }
}

/** A threshold's label without the unit note the API adds for the rule editor ("（分）"). */
export const thresholdLabel = (spec: ThresholdSpec): string => spec.label.replace(/（分）$/, '');
