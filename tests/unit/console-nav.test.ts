import { describe, expect, test } from 'vitest';
import { NAV, activeSection, homeFor, mayOpen, menuFor } from '../../api/console/src/staff/nav.js';

const ROLES = ['admin', 'supervisor', 'caseworker', 'employment_officer', 'trainer', 'inspector'];

describe('the console menu', () => {
  test.each(ROLES)('%s starts on a section of the menu it may open', (role) => {
    const home = homeFor(role);
    const item = NAV.find((entry) => entry.path === home);

    expect(item, `home ${home}`).toBeDefined();
    expect(mayOpen(item!, role)).toBe(true);
  });

  test('each role starts on the work waiting for it', () => {
    expect(Object.fromEntries(ROLES.map((role) => [role, homeFor(role)]))).toEqual({
      admin: 'inbox',
      supervisor: 'inbox',
      caseworker: 'inbox',
      employment_officer: 'training/trainees',
      trainer: 'training/courses',
      inspector: 'inspections',
    });
    expect(homeFor('someone_new')).toBe('notifications');
  });

  test('a page below a section lights that section, the longest match winning', () => {
    expect(activeSection('stations/ranking')).toBe('stations/ranking');
    expect(activeSection('stations/0b6c3f5e-1d1c-4f53-9b7d-8f0e8c1d2a3b')).toBe('stations');
    expect(activeSection('training/trainees/abc')).toBe('training/trainees');
    expect(activeSection('cases/abc')).toBe('cases');
  });

  test("groups a city admin's sixteen entries under their areas, in menu order", () => {
    const menu = menuFor('admin').map((group) => [group.label, group.items.map((item) => item.label)]);

    expect(menu).toEqual([
      ['帮扶', ['待办', '工单', '超时督办']],
      ['资金', ['预算', '报表']],
      ['培训', ['课程', '学员', '报表']],
      ['驿站', ['站点', '巡检', '排名']],
      ['感知', ['线索', '规则', '扫描', '数据导入']],
      [null, ['通知']],
    ]);
  });

  test('shows a role only the areas it may open, and no empty heading', () => {
    const areas = (role: string) => menuFor(role).map((group) => group.label);

    expect(areas('caseworker')).toEqual(['帮扶', '资金', '培训', '驿站', null]);
    expect(areas('inspector')).toEqual(['资金', '驿站', null]);
    expect(areas('trainer')).toEqual(['资金', '培训', null]);
    expect(
      menuFor('caseworker')
        .flatMap((group) => group.items)
        .map((item) => item.path),
    ).not.toContain('perception/leads');
  });
});
