import { describe, expect, test } from 'vitest';
import { NAV, activeSection, homeFor, mayOpen } from '../../api/console/src/staff/nav.js';

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
});
