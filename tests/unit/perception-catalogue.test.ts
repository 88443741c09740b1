import { describe, expect, test } from 'vitest';
import { RULES as CATALOGUE, checkThresholds } from '../../activities/perception/rule-catalogue.js';
import { RULES as SEEDED } from '../../db/migrations/2026_12_05_0110_seed_perception_rules.js';
import { FEED_KINDS } from '../../db/tables/feed.table.js';

describe('the rule catalogue', () => {
  test('lists the same rules, thresholds and weights as the migration that published version 1', () => {
    expect(SEEDED.map(([code, thresholds, weight]) => ({ code, thresholds: JSON.parse(thresholds), weight }))).toEqual(
      CATALOGUE.map((rule) => ({ code: rule.code, thresholds: rule.initial.thresholds, weight: rule.initial.weight })),
    );
  });

  test('gives every rule version 1 thresholds that pass its own checks, and feed kinds that exist', () => {
    for (const rule of CATALOGUE) {
      expect(checkThresholds(rule, rule.initial.thresholds), rule.code).toEqual([]);
      expect(rule.thresholds.map((spec) => spec.key).sort()).toEqual(Object.keys(rule.initial.thresholds).sort());
      for (const kind of rule.kinds) {
        expect(FEED_KINDS).toContain(kind);
      }
    }
  });

  test('covers every kind of department data with at least one rule', () => {
    const covered = new Set(CATALOGUE.flatMap((rule) => rule.kinds));
    expect([...FEED_KINDS].filter((kind) => !covered.has(kind))).toEqual([]);
  });

  test('refuses thresholds that are missing, unknown, fractional or out of range', () => {
    const rule = CATALOGUE.find((r) => r.code === 'illness_poverty')!;

    expect(checkThresholds(rule, { months: 12.5, medicalFen: 0, extra: 1 })).toEqual([
      { field: 'thresholds.extra', reason: '该规则没有这个阈值' },
      { field: 'thresholds.months', reason: '须为整数' },
      { field: 'thresholds.medicalFen', reason: '须在 1 到 10000000000 之间' },
      { field: 'thresholds.maxIncomeFen', reason: '必填' },
    ]);
  });
});
