import { useState } from 'preact/hooks';
import { ApiError } from '../../../shared/api.js';
import { useFormKey } from '../../../shared/form-key.js';
import { count } from '../../../shared/format.js';
import { PointMap } from '../../../shared/map.js';
import { Link } from '../../../shared/router.js';
import { Badge, ErrorBanner, Notice, Pending, useResource } from '../../../shared/ui.js';
import { DetailPending, PageHeader } from '../../components.js';
import type { Me } from '../../data.js';
import {
  SERVICE_LABELS,
  STATION_SERVICES,
  STATION_STAFF_ROLES,
  WEEKDAYS,
  fetchInspections,
  fetchStation,
  updateStation,
  type OpeningHours,
  type StationDetail,
} from '../../data-stations.js';
import { useUnits } from '../../units.js';
import { DAY_LABELS, intervalsText, parseIntervals } from './hours.js';
import { InspectionTable } from './inspections.js';
import { TYPE_COLORS, statusTone } from './stations.js';

const HOURS_INPUT = { width: '20rem', maxWidth: '100%' };

const serviceLabel = (code: string) => SERVICE_LABELS[code as keyof typeof SERVICE_LABELS] ?? code;

/**
 * One station (GET /stations/:id): services, hours per weekday and holiday, the responsible person as the API
 * answers, status, the figures of its activities and visits, and its inspections. Station staff (admins,
 * supervisors, caseworkers of the owning unit or above) edit services and hours here (PATCH /stations/:id).
 */
export function StationPage({ id, me }: { id: string; me: Me }) {
  const units = useUnits();
  const station = useResource(() => fetchStation(id), [id]);
  const inspections = useResource(() => fetchInspections({ stationId: id, limit: 50 }), [id]);
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);

  if (!station.data) {
    return <DetailPending back="stations" backLabel="返回驿站" resource={station} label="正在读取驿站……" />;
  }
  const s = station.data;
  const mayEdit = STATION_STAFF_ROLES.includes(me.role as never) && s.status !== 'closed';

  return (
    <main class="page" data-station-id={s.id}>
      <p class="crumbs">
        <Link to="stations">驿站</Link> / {s.name}
      </p>
      <PageHeader title={s.name}>
        <Badge tone={statusTone(s.status)}>{s.statusLabel}</Badge>
        <Badge>{s.typeLabel}</Badge>
        {s.status === 'open' && <Badge tone={s.openNow ? 'ok' : 'none'}>{s.openNow ? '营业中' : '未到营业时间'}</Badge>}
      </PageHeader>
      {saved && <Notice tone="success">服务项目与营业时间已保存。</Notice>}
      <div class="columns">
        <div class="column">
          <section class="card" aria-labelledby="station-facts">
            <h2 id="station-facts">基本情况</h2>
            <dl class="facts">
              <dt>地址</dt>
              <dd>{s.address}</dd>
              <dt>所属单位</dt>
              <dd>{units.name(s.ownerUnitId)}</dd>
              <dt>负责人</dt>
              <dd data-testid="responsible-person">
                {s.responsiblePerson.name} <span class="mono">{s.responsiblePerson.phone}</span>
              </dd>
              <dt>服务项目</dt>
              <dd data-testid="station-services">
                {s.services.length ? s.services.map(serviceLabel).join('、') : '—'}
              </dd>
              {s.notes && (
                <>
                  <dt>备注</dt>
                  <dd>{s.notes}</dd>
                </>
              )}
            </dl>
          </section>
          <section class="card" aria-labelledby="station-hours">
            <div class="card-header">
              <h2 id="station-hours">营业时间</h2>
              {mayEdit && !editing && (
                <button
                  type="button"
                  class="button button-small"
                  onClick={() => {
                    setSaved(false);
                    setEditing(true);
                  }}
                >
                  修改服务与营业时间
                </button>
              )}
            </div>
            {editing ? (
              <EditForm
                station={s}
                onCancel={() => setEditing(false)}
                onSaved={(next) => {
                  station.set({ ...s, ...next });
                  setEditing(false);
                  setSaved(true);
                }}
              />
            ) : (
              <HoursTable hours={s.hours} />
            )}
          </section>
        </div>
        <div class="column">
          <section class="card">
            <PointMap
              title="位置"
              height={220}
              points={[
                {
                  lng: s.longitude,
                  lat: s.latitude,
                  label: s.name,
                  ...(s.status === 'suspended'
                    ? { kind: 'alert' as const }
                    : { color: TYPE_COLORS[s.type as keyof typeof TYPE_COLORS] }),
                },
              ]}
            />
          </section>
          <section class="card" aria-labelledby="station-figures">
            <h2 id="station-figures">活动与到访</h2>
            <dl class="facts">
              <dt>举办活动</dt>
              <dd>
                {count(s.activitiesHeld)} 次，参与 {count(s.activityParticipants)} 人次
              </dd>
              <dt>到访人次</dt>
              <dd>{count(s.visitsTotal)}</dd>
              <dt>获得表彰</dt>
              <dd>{count(s.commendations)} 次</dd>
            </dl>
          </section>
        </div>
      </div>
      <section class="card" aria-labelledby="station-inspections">
        <h2 id="station-inspections">检查记录</h2>
        {inspections.data ? (
          <InspectionTable items={inspections.data.items} units={units} empty="这个驿站还没有检查记录。" />
        ) : (
          <Pending resource={inspections} />
        )}
      </section>
    </main>
  );
}

function HoursTable({ hours }: { hours: OpeningHours }) {
  return (
    <table class="table" data-testid="station-hours">
      <tbody>
        {WEEKDAYS.map((day) => (
          <tr key={day}>
            <th scope="row">{DAY_LABELS[day]}</th>
            <td>{intervalsText(hours[day]) || '休息'}</td>
          </tr>
        ))}
        <tr>
          <th scope="row">{DAY_LABELS.holiday}</th>
          <td>{hours.holiday ? intervalsText(hours.holiday) || '休息' : '同平日'}</td>
        </tr>
      </tbody>
    </table>
  );
}

/** Services as check boxes and hours as text per day; a 24-hour station's hours are fixed, so only services show. */
function EditForm({
  station,
  onCancel,
  onSaved,
}: {
  station: StationDetail;
  onCancel: () => void;
  onSaved: (next: Partial<StationDetail>) => void;
}) {
  const roundTheClock = station.type === '24h';
  const [services, setServices] = useState<string[]>(station.services);
  const [days, setDays] = useState<Record<string, string>>(() =>
    Object.fromEntries([...WEEKDAYS, 'holiday'].map((day) => [day, intervalsText(station.hours[day as 'mon'])])),
  );
  const [ownHoliday, setOwnHoliday] = useState(station.hours.holiday !== undefined);
  const [state, setState] = useState<{ busy: boolean; error: unknown }>({ busy: false, error: null });
  const [key, afterFailure] = useFormKey();
  const refused = (error: unknown) => {
    afterFailure(error);
    setState({ busy: false, error });
  };

  const submit = (event: Event) => {
    event.preventDefault();
    const body: { services: string[]; hours?: OpeningHours } = {
      services: STATION_SERVICES.filter((s) => services.includes(s)),
    };
    if (!roundTheClock) {
      const hours: Record<string, unknown> = {};
      for (const day of [...WEEKDAYS, ...(ownHoliday ? ['holiday'] : [])]) {
        const parsed = parseIntervals(days[day] ?? '');
        if ('problem' in parsed) {
          setState({
            busy: false,
            error: new ApiError(0, 'HOURS_UNREADABLE', `${DAY_LABELS[day]}：${parsed.problem}`),
          });
          return;
        }
        hours[day] = parsed;
      }
      body.hours = hours as OpeningHours;
    }
    setState({ busy: true, error: null });
    updateStation(station.id, body, key).then((next) => onSaved(next), refused);
  };

  return (
    <form class="action-form" onSubmit={submit} aria-label="修改服务与营业时间">
      <fieldset class="field">
        <legend>服务项目</legend>
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: '0.4rem 1.2rem' }}>
          {STATION_SERVICES.map((service) => (
            <label key={service} class="field-check" style={{ display: 'inline-flex', gap: '0.3rem' }}>
              <input
                type="checkbox"
                checked={services.includes(service)}
                onChange={(e) =>
                  setServices((list) =>
                    e.currentTarget.checked ? [...list, service] : list.filter((item) => item !== service),
                  )
                }
              />
              <span>{SERVICE_LABELS[service]}</span>
            </label>
          ))}
        </div>
      </fieldset>
      {roundTheClock ? (
        <p class="muted">24小时驿站每天全天开放，营业时间不需填写。</p>
      ) : (
        <fieldset class="field">
          <legend>营业时间（如 08:00-12:00，13:00-20:00；留空为休息）</legend>
          {WEEKDAYS.map((day) => (
            <label key={day} class="field field-inline">
              <span>{DAY_LABELS[day]}</span>
              <input
                style={HOURS_INPUT}
                value={days[day]}
                onInput={(e) => setDays((d) => ({ ...d, [day]: e.currentTarget.value }))}
              />
            </label>
          ))}
          <label class="field field-inline field-check">
            <input type="checkbox" checked={ownHoliday} onChange={(e) => setOwnHoliday(e.currentTarget.checked)} />
            <span>节假日另有营业时间</span>
          </label>
          {ownHoliday && (
            <label class="field field-inline">
              <span>{DAY_LABELS.holiday}</span>
              <input
                style={HOURS_INPUT}
                value={days.holiday}
                onInput={(e) => setDays((d) => ({ ...d, holiday: e.currentTarget.value }))}
              />
            </label>
          )}
        </fieldset>
      )}
      <ErrorBanner error={state.error} />
      <div class="form-buttons">
        <button type="submit" class="button button-primary" disabled={state.busy}>
          {state.busy ? '正在保存……' : '保存'}
        </button>
        <button type="button" class="button button-quiet" onClick={onCancel} disabled={state.busy}>
          取消
        </button>
      </div>
    </form>
  );
}
