import { PALETTE } from '../../../shared/charts.js';
import { PointMap } from '../../../shared/map.js';
import { Link, navigate, withQuery } from '../../../shared/router.js';
import { Badge, Empty, Pending, useResource } from '../../../shared/ui.js';
import { PageHeader } from '../../components.js';
import { SelectFilter, UnitFilter, filtersFrom } from '../../filters.js';
import type { Me } from '../../data.js';
import {
  SERVICE_LABELS,
  STATION_SERVICES,
  STATION_STATUSES,
  STATION_STATUS_LABELS,
  STATION_TYPES,
  STATION_TYPE_LABELS,
  fetchStations,
  type StationFilters,
  type StationType,
} from '../../data-stations.js';
import { useUnits } from '../../units.js';

const FILTERS = ['type', 'status', 'unitId', 'service'] as const;

/** One colour per station type on the map and in its legend. */
export const TYPE_COLORS: Record<StationType, string> = {
  standard: PALETTE[0]!,
  benchmark: PALETTE[1]!,
  '24h': PALETTE[3]!,
};

export const statusTone = (status: string) =>
  status === 'open' ? 'ok' : status === 'suspended' ? 'late' : status === 'closed' ? 'none' : 'soon';

/**
 * 驿站: the caller's stations (GET /stations) on a map, coloured by type, with a suspended station drawn in the late
 * colour, and as a list; both follow the filters in the query string (type, status, owning unit, service).
 */
export function StationsPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const units = useUnits();
  const filters: StationFilters = filtersFrom(query, FILTERS);
  const key = JSON.stringify(filters);
  const stations = useResource(() => fetchStations(filters), [key]);
  const set = (name: keyof StationFilters, value: string) =>
    navigate(withQuery('stations', { ...filters, [name]: value }), { replace: true });
  const scopeName = filters.unitId ? units.name(filters.unitId) : me.unitName;

  return (
    <main class="page">
      <PageHeader title="越工驿站" />
      <p class="muted">{scopeName}及下级单位的驿站。地图上的颜色表示驿站类型，红色为暂停服务。</p>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="筛选">
        <SelectFilter
          label="类型"
          value={filters.type}
          choices={STATION_TYPES.map((type) => [type, STATION_TYPE_LABELS[type]] as const)}
          onChange={(v) => set('type', v)}
        />
        <SelectFilter
          label="状态"
          value={filters.status}
          choices={STATION_STATUSES.map((status) => [status, STATION_STATUS_LABELS[status]] as const)}
          onChange={(v) => set('status', v)}
        />
        <UnitFilter me={me} units={units} value={filters.unitId} onChange={(v) => set('unitId', v)} />
        <SelectFilter
          label="服务"
          value={filters.service}
          none="不限"
          choices={STATION_SERVICES.map((service) => [service, SERVICE_LABELS[service]] as const)}
          onChange={(v) => set('service', v)}
        />
      </form>
      {!stations.data ? (
        <Pending resource={stations} label="正在读取驿站……" />
      ) : stations.data.length === 0 ? (
        <Empty>没有符合条件的驿站。</Empty>
      ) : (
        <>
          <section class="card">
            <PointMap
              title={`驿站分布（${stations.data.length} 个）`}
              height={360}
              points={stations.data.map((s) => ({
                lng: s.longitude,
                lat: s.latitude,
                label: s.name,
                ...(s.status === 'suspended'
                  ? { kind: 'alert' as const }
                  : { color: TYPE_COLORS[s.type as StationType] ?? PALETTE[7]! }),
                onSelect: () => navigate(`stations/${s.id}`),
              }))}
            />
            <ul class="legend">
              {STATION_TYPES.map((type) => (
                <li key={type}>
                  <span class="legend-swatch" style={{ background: TYPE_COLORS[type] }} />
                  {STATION_TYPE_LABELS[type]}
                </li>
              ))}
              <li>
                <span class="legend-swatch" style={{ background: 'var(--late)' }} />
                暂停服务
              </li>
            </ul>
          </section>
          <table class="table table-cards">
            <thead>
              <tr>
                <th>驿站</th>
                <th>类型</th>
                <th>状态</th>
                <th>所属单位</th>
                <th>服务</th>
                <th>地址</th>
              </tr>
            </thead>
            <tbody>
              {stations.data.map((s) => (
                <tr key={s.id} class="row-link" onClick={() => navigate(`stations/${s.id}`)} data-station-id={s.id}>
                  <td data-label="驿站">
                    <Link to={`stations/${s.id}`} onClick={(e: MouseEvent) => e.stopPropagation()}>
                      {s.name}
                    </Link>
                  </td>
                  <td data-label="类型">{s.typeLabel}</td>
                  <td data-label="状态">
                    <Badge tone={statusTone(s.status)}>{s.statusLabel}</Badge>{' '}
                    {s.status === 'open' && <span class="muted small">{s.openNow ? '营业中' : '未到营业时间'}</span>}
                  </td>
                  <td data-label="所属单位">{units.name(s.ownerUnitId)}</td>
                  <td data-label="服务">
                    {s.services.map((code) => SERVICE_LABELS[code as keyof typeof SERVICE_LABELS] ?? code).join('、')}
                  </td>
                  <td data-label="地址">{s.address}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </main>
  );
}
