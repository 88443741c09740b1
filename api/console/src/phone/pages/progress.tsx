import { shanghaiTime } from '../../shared/format.js';
import { CATEGORY_LABELS, STEP_LABELS, type Category, type Step } from '../../shared/labels.js';
import { Link } from '../../shared/router.js';
import { Empty, Pending, useResource } from '../../shared/ui.js';
import { fetchMyCase, fetchMyCases, itemsOf, text, type Loose } from '../data.js';

const stepOf = (item: Loose) => STEP_LABELS[item.step as Step] ?? text(item.stepLabel ?? item.step);
const categoryOf = (item: Loose) => CATEGORY_LABELS[item.category as Category] ?? text(item.category);
const expectedOf = (item: Loose) => text(item.expectedByLabel ?? shanghaiTime(item.expectedBy as string | null));
const unitName = (unit: unknown) => text((unit as Loose | null)?.name);

/** The worker's cases (GET /portal/cases): where each stands. */
export function ProgressPage() {
  const cases = useResource(fetchMyCases, []);
  if (!cases.data) {
    return <Pending resource={cases} label="正在查询……" />;
  }
  const items = itemsOf(cases.data);
  if (items.length === 0) {
    return <Empty>您还没有帮扶申请。</Empty>;
  }
  return (
    <ul class="list">
      {items.map((item) => (
        <li key={text(item.id)}>
          <Link to={`progress/${text(item.id)}`} class="list-item">
            <span class="list-title">
              {categoryOf(item)} · {stepOf(item)}
            </span>
            <span class="small">{text(item.progress)}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

/** One case (GET /portal/cases/:id): current step, expected date, handling unit and timeline. */
export function ProgressDetailPage({ id }: { id: string }) {
  const kase = useResource(() => fetchMyCase(id), [id]);
  if (!kase.data) {
    return <Pending resource={kase} label="正在查询……" />;
  }
  const c = kase.data;
  const timeline = Array.isArray(c.timeline) ? (c.timeline as Loose[]) : [];
  return (
    <div class="phone-card">
      <p class="big" data-testid="case-step">
        {stepOf(c)}
      </p>
      <p data-testid="case-progress">{text(c.progress)}</p>
      <dl class="facts">
        <dt>编号</dt>
        <dd>{text(c.number)}</dd>
        <dt>类别</dt>
        <dd>{categoryOf(c)}</dd>
        <dt>办理单位</dt>
        <dd>{unitName(c.handlingUnit)}</dd>
        <dt>预计完成</dt>
        <dd>{expectedOf(c)}</dd>
      </dl>
      <ol class="timeline" data-testid="timeline">
        {timeline.map((event, i) => (
          <li key={i} class="timeline-item">
            <div class="timeline-when">{shanghaiTime(event.occurredAt as string | null)}</div>
            <div>{text(event.text)}</div>
          </li>
        ))}
      </ol>
    </div>
  );
}
