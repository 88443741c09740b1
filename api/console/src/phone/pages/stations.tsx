import { useState } from 'preact/hooks';
import { ApiError } from '../../shared/api.js';
import { PointMap } from '../../shared/map.js';
import { Empty, ErrorBanner, Loading } from '../../shared/ui.js';
import { fetchNearbyStations, text, type StationFeature } from '../data.js';

const SERVICES: Record<string, string> = {
  '': '不限',
  water: '饮水',
  microwave: '微波炉',
  charging: '充电',
  toilet: '卫生间',
  first_aid: '急救药箱',
  rest_seats: '休息座椅',
};

const distance = (m: unknown) =>
  typeof m === 'number' ? (m >= 1000 ? `${(m / 1000).toFixed(1)} 公里` : `${Math.round(m)} 米`) : '';

/**
 * The nearest open rest stations (GET /public/stations/nearby, GeoJSON sorted by distance); no login needed.
 * Known limit: it needs the phone's location (and so HTTPS outside localhost); a worker who refuses it cannot yet
 * pick a place by hand.
 */
export function StationsPage() {
  const [service, setService] = useState('');
  const [state, setState] = useState<{
    busy: boolean;
    error: unknown;
    stations: StationFeature[] | null;
    here?: { lng: number; lat: number };
  }>({
    busy: false,
    error: null,
    stations: null,
  });

  const search = () => {
    if (!('geolocation' in navigator)) {
      setState({
        busy: false,
        error: new ApiError(0, 'NO_LOCATION', '这台手机的浏览器不能提供位置，无法查找附近驿站'),
        stations: null,
      });
      return;
    }
    setState({ busy: true, error: null, stations: null });
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const here = {
          lat: Number(position.coords.latitude.toFixed(6)),
          lng: Number(position.coords.longitude.toFixed(6)),
        };
        fetchNearbyStations({
          ...here,
          radiusM: 5000,
          openNow: true,
          ...(service ? { service } : {}),
        }).then(
          (answer) => setState({ busy: false, error: null, stations: answer.features ?? [], here }),
          (error: unknown) => setState({ busy: false, error, stations: null }),
        );
      },
      () =>
        setState({
          busy: false,
          error: new ApiError(0, 'NO_LOCATION', '没有取得您的位置。请在手机设置中允许浏览器使用位置信息后重试'),
          stations: null,
        }),
      { enableHighAccuracy: false, timeout: 15_000, maximumAge: 60_000 },
    );
  };

  return (
    <>
      <div class="phone-card">
        <label class="field">
          <span>需要的服务</span>
          <select value={service} onChange={(e) => setService(e.currentTarget.value)}>
            {Object.entries(SERVICES).map(([code, name]) => (
              <option key={code} value={code}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="button button-primary button-block" disabled={state.busy} onClick={search}>
          {state.busy ? '正在定位……' : '查找附近正在开放的驿站'}
        </button>
      </div>
      <ErrorBanner error={state.error} />
      {state.busy && <Loading label="正在查找……" />}
      {state.stations &&
        (state.stations.length === 0 ? (
          <Empty>5 公里内暂无正在开放的驿站。</Empty>
        ) : (
          <>
            <PointMap
              title="您的位置与附近驿站"
              {...(state.here ? { center: state.here } : {})}
              points={[
                ...(state.here ? [{ ...state.here, label: '我的位置', kind: 'here' as const }] : []),
                ...state.stations.flatMap((station) =>
                  station.geometry
                    ? [
                        {
                          lng: station.geometry.coordinates[0],
                          lat: station.geometry.coordinates[1],
                          label: text(station.properties.name),
                        },
                      ]
                    : [],
                ),
              ]}
            />
            <ul class="list">
              {state.stations.map((station, i) => (
                <li key={i} class="list-item">
                  <span class="list-title">{text(station.properties.name)}</span>
                  <span class="small">
                    {distance(station.properties.distanceM)} · {text(station.properties.address)}
                  </span>
                </li>
              ))}
            </ul>
          </>
        ))}
    </>
  );
}
