import { shanghaiTime } from '../../../shared/format.js';
import { Link, navigate, withQuery } from '../../../shared/router.js';
import { Badge, Empty, ErrorBanner, Loading, MoreButton, usePaged } from '../../../shared/ui.js';
import { PageHeader } from '../../components.js';
import { fetchCourses } from '../../data-training.js';
import type { Me } from '../../data.js';
import { useUnits } from '../../units.js';

const STATUS_FILTERS: Record<string, string> = { upcoming: '未开班', running: '培训中', ended: '已结业' };

const statusTone = (status: string) => (status === 'running' ? 'info' : status === 'upcoming' ? 'ok' : 'none');

/** GET /courses: the courses of the caller's subtree and of the units above it, latest start first. */
export function CoursesPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const units = useUnits();
  const status = query.get('status') ?? '';
  const list = usePaged((cursor) => fetchCourses({ ...(status ? { status } : {}), cursor }), [status]);

  return (
    <main class="page">
      <PageHeader title="培训课程" />
      <p class="muted">{me.unitName}及上级工会开办的课程，按开班时间由近到远；学员名单只列本辖区的学员。</p>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="筛选">
        <label class="field field-inline">
          <span>状态</span>
          <select
            value={status}
            onChange={(e) =>
              navigate(withQuery('training/courses', { status: e.currentTarget.value }), { replace: true })
            }
          >
            <option value="">全部</option>
            {Object.entries(STATUS_FILTERS).map(([code, text]) => (
              <option key={code} value={code}>
                {text}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {!list.ready ? (
        <Loading label="正在读取课程……" />
      ) : list.items.length === 0 ? (
        <Empty>没有符合条件的课程。</Empty>
      ) : (
        <>
          <table class="table table-cards" data-testid="courses">
            <thead>
              <tr>
                <th>课程</th>
                <th>状态</th>
                <th>开班 / 结课</th>
                <th class="num">名额</th>
                <th class="num">已占</th>
                <th class="num">候补</th>
                <th>技能</th>
                <th>考试</th>
                <th>开办单位</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((c) => (
                <tr
                  key={c.id}
                  class="row-link"
                  onClick={() => navigate(`training/courses/${c.id}`)}
                  data-course-id={c.id}
                >
                  <td data-label="课程">
                    <Link to={`training/courses/${c.id}`} onClick={(e: MouseEvent) => e.stopPropagation()}>
                      {c.title}
                    </Link>
                  </td>
                  <td data-label="状态">
                    <Badge tone={statusTone(c.status)}>{c.statusLabel}</Badge>
                  </td>
                  <td data-label="开班 / 结课">
                    {shanghaiTime(c.startsAt)} 至 {shanghaiTime(c.endedAt ?? c.endsAt)}
                  </td>
                  <td data-label="名额" class="num">
                    {c.capacity}
                  </td>
                  <td data-label="已占" class="num">
                    {c.seats.offered + c.seats.confirmed}
                  </td>
                  <td data-label="候补" class="num">
                    {c.seats.waitlisted}/{c.waitlistCapacity}
                  </td>
                  <td data-label="技能">{c.skills.map((s) => s.label).join('、')}</td>
                  <td data-label="考试">{c.exam ? c.exam.certificateLabel : '无'}</td>
                  <td data-label="开办单位">{units.name(c.unitId)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <MoreButton list={list} />
        </>
      )}
    </main>
  );
}
