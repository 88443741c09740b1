import { describe, expect, test } from 'vitest';
import { SEED_SPREAD, buildStationActivities, buildStationVisits, buildStations } from '../../seeds/06-stations.js';
import { withinServiceArea } from '../../workflows/shared/geo.js';
import { hoursProblems, isRoundTheClock } from '../../workflows/shared/opening-hours.js';
import { STATION_SERVICES } from '../../workflows/shared/station-vocabulary.js';

describe('the seeded rest stations', () => {
  const stations = buildStations();
  const count = (type: string) => stations.filter((station) => station.type === type).length;

  test('are the programme’s 100: 17 benchmark, 9 open 24 hours, 74 standard, each with its own id', () => {
    expect(stations).toHaveLength(100);
    expect([count('benchmark'), count('24h'), count('standard')]).toEqual([17, 9, 74]);
    expect(new Set(stations.map((station) => station.id)).size).toBe(100);
  });

  test('lie inside the service area, within their district’s spread, in all six districts', () => {
    const outside = stations.filter((station) => !withinServiceArea({ lat: station.latitude, lng: station.longitude }));
    const byDistrict = new Map<string, typeof stations>();
    stations.forEach((station) =>
      byDistrict.set(station.district, [...(byDistrict.get(station.district) ?? []), station]),
    );

    expect(outside).toEqual([]);
    expect([...byDistrict.keys()]).toEqual(['yuecheng', 'keqiao', 'shangyu', 'zhuji', 'shengzhou', 'xinchang']);
    for (const group of byDistrict.values()) {
      const lats = group.map((station) => station.latitude);
      const lngs = group.map((station) => station.longitude);
      expect(Math.max(...lats) - Math.min(...lats)).toBeLessThanOrEqual(2 * SEED_SPREAD.lat);
      expect(Math.max(...lngs) - Math.min(...lngs)).toBeLessThanOrEqual(2 * SEED_SPREAD.lng);
    }
  });

  test('keep valid hours, 24-hour stations all day, and offer known services including water', () => {
    expect(stations.flatMap((station) => hoursProblems(station.hours))).toEqual([]);
    expect(stations.filter((s) => s.type === '24h').every((s) => isRoundTheClock(s.hours))).toBe(true);
    expect(stations.filter((s) => s.type !== '24h').some((s) => isRoundTheClock(s.hours))).toBe(false);
    expect(
      stations.every((s) => s.services.includes('water') && s.services.every((x) => STATION_SERVICES.includes(x))),
    ).toBe(true);
  });

  test('are owned by a district federation or one of its townships, with a fictional responsible person', () => {
    expect(new Set(stations.map((station) => station.owner.level))).toEqual(new Set(['district', 'township']));
    expect(stations.every((station) => /^1\d{10}$/.test(station.responsiblePhone))).toBe(true);
    expect(stations.every((station) => station.responsibleName.length >= 2)).toBe(true);
  });

  test('come with 126 activities and a little over 18,000 visits, all in 2026 before December', () => {
    const activities = buildStationActivities(stations);
    const visits = buildStationVisits(stations);
    const total = visits.reduce((sum, visit) => sum + visit.visitors, 0);

    expect(activities).toHaveLength(126);
    expect(total).toBeGreaterThanOrEqual(18_000);
    expect(total).toBeLessThan(20_000);
    expect(
      [...activities.map((a) => a.date), ...visits.map((v) => v.date)].every(
        (d) => d >= '2026-07-01' && d < '2026-12-01',
      ),
    ).toBe(true);
    expect(new Set(visits.map((visit) => `${visit.stationId}/${visit.date}`)).size).toBe(visits.length);
  });

  test('are the same on every call', () => {
    expect(buildStations()).toEqual(stations);
  });
});
