import { useState } from 'preact/hooks';
import { useSubmission } from '../../../shared/form-key.js';
import { fromShanghaiInput, shanghaiInputValue, shanghaiTime, yuan } from '../../../shared/format.js';
import { Link } from '../../../shared/router.js';
import { Badge, Empty, ErrorBanner, Notice, Pending, useResource } from '../../../shared/ui.js';
import { DetailPending, PageHeader } from '../../components.js';
import {
  arrangeFair,
  endCourse,
  fetchCourse,
  fetchFair,
  fetchLinkedOpenings,
  mayEnrol,
  mayRunCourse,
  mayRunJobs,
  statusLabel,
  stepLabel,
  type CourseDetail,
} from '../../data-training.js';
import type { Me } from '../../data.js';
import { useUnits } from '../../units.js';
import { durationLabel } from './common.js';
import { AttendanceForm, EnrolForm, ExamForm, awaitingExam, onRegister } from './course-records.js';

const SEAT_LABELS: Record<string, string> = {
  offered: '待确认',
  confirmed: '已确认',
  waitlisted: '候补',
  released: '已释放',
};

/**
 * One course (GET /courses/:id): dates, seats and waiting list, skills and exam, the openings it links to, its
 * hiring fair with the enterprises, and the caller's trainees with each one's step and attendance; the trainer's
 * registers (attendance, exam results), ending the course and arranging its fair when the API would allow them.
 */
export function CoursePage({ id, me }: { id: string; me: Me }) {
  const units = useUnits();
  const course = useResource(() => fetchCourse(id), [id]);
  const [done, setDone] = useState<string | null>(null);

  if (!course.data) {
    return <DetailPending back="training/courses" backLabel="返回课程列表" resource={course} label="正在读取课程……" />;
  }
  const c = course.data;
  const taken = c.seats.offered + c.seats.confirmed;

  return (
    <main class="page" data-course-id={c.id}>
      <p class="crumbs">
        <Link to="training/courses">培训课程</Link> / {c.title}
      </p>
      <PageHeader title={c.title}>
        <Badge tone={c.status === 'ended' ? 'none' : 'info'}>{c.statusLabel}</Badge>
      </PageHeader>
      {done && <Notice tone="success">{done}</Notice>}
      <div class="columns">
        <div class="column">
          <section class="card" aria-labelledby="course-facts">
            <h2 id="course-facts">课程信息</h2>
            <dl class="facts" data-testid="course-facts">
              <dt>开办单位</dt>
              <dd>{units.name(c.unitId)}</dd>
              <dt>开班</dt>
              <dd>{shanghaiTime(c.startsAt)}</dd>
              <dt>结课</dt>
              <dd>
                {shanghaiTime(c.endsAt)}
                {c.endedAt && c.endedAt !== c.endsAt && <span class="muted">（实际 {shanghaiTime(c.endedAt)}）</span>}
              </dd>
              <dt>课次</dt>
              <dd>
                {c.sessions} 次，出勤须达 {c.requiredAttendancePct}%
              </dd>
              <dt>名额</dt>
              <dd data-testid="course-seats">
                共 {c.capacity} 个，已占 {taken} 个（已确认 {c.seats.confirmed}，待确认 {c.seats.offered}），余{' '}
                {c.seats.free} 个
              </dd>
              <dt>候补名单</dt>
              <dd>
                {c.seats.waitlisted} 人（可候补 {c.waitlistCapacity} 人）
              </dd>
              <dt>所学技能</dt>
              <dd>{c.skills.map((s) => s.label).join('、')}</dd>
              <dt>结业考试</dt>
              <dd>{c.exam ? `有，合格颁发「${c.exam.certificateLabel}」（可补考一次）` : '无考试'}</dd>
              <dt>招聘会</dt>
              <dd>结课后 {durationLabel(c.fairWithin)} 内举办</dd>
            </dl>
          </section>
          <CourseActions
            course={c}
            me={me}
            onDone={(text) => {
              setDone(text);
              course.reload();
            }}
          />
          <LinkedOpenings course={c} />
          <FairCard course={c} />
        </div>
        <div class="column">
          <Trainees course={c} />
        </div>
      </div>
    </main>
  );
}

function Trainees({ course }: { course: CourseDetail }) {
  return (
    <section class="card" aria-labelledby="trainees-title">
      <h2 id="trainees-title">学员（{course.trainees.length} 人）</h2>
      {course.trainees.length === 0 ? (
        <Empty>本辖区还没有学员报名这个课程。</Empty>
      ) : (
        <table class="table table-cards" data-testid="roster">
          <thead>
            <tr>
              <th>学员</th>
              <th>名额</th>
              <th>当前步骤</th>
              <th class="num">出勤</th>
              <th>证书</th>
            </tr>
          </thead>
          <tbody>
            {course.trainees.map((t) => (
              <tr key={t.pipelineId} data-pipeline-id={t.pipelineId}>
                <td data-label="学员">
                  <Link to={`training/trainees/${t.pipelineId}`}>{t.name}</Link>
                </td>
                <td data-label="名额">{SEAT_LABELS[t.seat] ?? t.seat}</td>
                <td data-label="当前步骤" data-testid="roster-step">
                  {t.status === 'open' ? stepLabel(t.step) : statusLabel(t.status)}
                </td>
                <td data-label="出勤" class="num">
                  {t.attendedSessions}/{course.sessions}
                </td>
                <td data-label="证书">{t.certified ? <Badge tone="ok">已取得</Badge> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function LinkedOpenings({ course }: { course: CourseDetail }) {
  const openings = useResource(() => fetchLinkedOpenings(course), [course.id, course.openingIds.join(',')]);
  return (
    <section class="card" aria-labelledby="openings-title">
      <h2 id="openings-title">对接岗位</h2>
      {course.openingIds.length === 0 ? (
        <Empty>开课时没有指定对接岗位；结课时按所学技能邀请企业参加招聘会。</Empty>
      ) : !openings.data ? (
        <Pending resource={openings} label="正在读取岗位……" />
      ) : (
        <ul class="items" data-testid="linked-openings">
          {course.openingIds.map((openingId) => {
            const o = openings.data?.get(openingId);
            return (
              <li key={openingId}>
                {o
                  ? `${o.enterpriseName} · ${o.title}（${yuan(o.monthlyPayFen, ' 元/月')}，已录用 ${o.placedCount}/${o.headcount}）`
                  : `岗位 ${openingId.slice(0, 8)}（不在您可见的范围内或已关闭）`}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function FairCard({ course }: { course: CourseDetail }) {
  const fair = useResource(() => (course.fairId ? fetchFair(course.fairId) : Promise.resolve(null)), [course.fairId]);
  return (
    <section class="card" aria-labelledby="fair-title" data-testid="fair">
      <h2 id="fair-title">结业专场招聘会</h2>
      {!course.fairId ? (
        <Empty>
          {course.status === 'ended' ? '招聘会正在安排。' : '尚未安排；结课时将按所学技能自动安排，也可以提前安排。'}
        </Empty>
      ) : !fair.data ? (
        <Pending resource={fair} label="正在读取招聘会……" />
      ) : (
        <>
          <dl class="facts">
            <dt>名称</dt>
            <dd>{fair.data.title}</dd>
            <dt>时间</dt>
            <dd data-testid="fair-time">{shanghaiTime(fair.data.heldAt)}</dd>
            <dt>安排方式</dt>
            <dd>{fair.data.arrangedBy === 'course' ? '结课时自动安排' : '工作人员安排'}</dd>
            <dt>受邀学员</dt>
            <dd>
              {fair.data.invitedTrainees} 人，已向企业推送简历 {fair.data.profilesPushed} 份
            </dd>
          </dl>
          {fair.data.enterprises.length === 0 ? (
            <Empty>没有岗位与所学技能相符的企业。</Empty>
          ) : (
            <table class="table" data-testid="fair-enterprises">
              <thead>
                <tr>
                  <th>参会企业</th>
                  <th class="num">岗位</th>
                  <th class="num">收到简历</th>
                </tr>
              </thead>
              <tbody>
                {fair.data.enterprises.map((e) => (
                  <tr key={e.id}>
                    <td>{e.name}</td>
                    <td class="num">{e.openings}</td>
                    <td class="num">{e.profilesReceived}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

type CourseAction = 'enrol' | 'attendance' | 'exam' | 'end' | 'fair';

const COURSE_ACTION_LABELS: Record<CourseAction, string> = {
  enrol: '报名学员',
  attendance: '登记考勤',
  exam: '登记考试成绩',
  end: '提前结课',
  fair: '安排结业招聘会',
};

/**
 * What may be done on the course now, as the API would allow it (the owning-unit check is the API's). Officers and
 * trainers (ENROLMENT_ROLES) enrol trainees until it ends; its trainers (COURSE_ROLES) take a session's attendance
 * while it runs, record the exam results of trainees waiting for the exam or its retake, and end it early;
 * employment officers (JOB_ROLES) arrange its fair ahead of the end.
 */
export function courseActions(course: CourseDetail, role: string): CourseAction[] {
  const trainer = mayRunCourse(role);
  return [
    ...(course.status !== 'ended' && mayEnrol(role) ? (['enrol'] as const) : []),
    ...(trainer && course.status === 'running' && onRegister(course).length > 0 ? (['attendance'] as const) : []),
    ...(trainer && course.exam && awaitingExam(course).length > 0 ? (['exam'] as const) : []),
    ...(trainer && course.status !== 'ended' ? (['end'] as const) : []),
    ...(course.status !== 'ended' && !course.fairId && mayRunJobs(role) ? (['fair'] as const) : []),
  ];
}

function CourseActions({ course, me, onDone }: { course: CourseDetail; me: Me; onDone: (text: string) => void }) {
  const [choice, setChoice] = useState<CourseAction | null>(null);
  const choices = courseActions(course, me.role);
  if (choices.length === 0) {
    return null;
  }
  const formProps = {
    course,
    onCancel: () => setChoice(null),
    onDone: (text: string) => {
      setChoice(null);
      onDone(text);
    },
  };
  return (
    <section class="card card-actions" aria-labelledby="course-actions-title" data-testid="course-actions">
      <h2 id="course-actions-title">课程操作</h2>
      <div class="action-buttons">
        {choices.map((action) => (
          <button
            key={action}
            type="button"
            class={`button ${choice === action ? 'button-pressed' : ''}`}
            aria-pressed={choice === action}
            onClick={() => setChoice(choice === action ? null : action)}
          >
            {COURSE_ACTION_LABELS[action]}
          </button>
        ))}
      </div>
      {choice === 'enrol' && <EnrolForm {...formProps} />}
      {choice === 'attendance' && <AttendanceForm {...formProps} />}
      {choice === 'exam' && <ExamForm {...formProps} />}
      {(choice === 'end' || choice === 'fair') && <CourseActionForm key={choice} choice={choice} {...formProps} />}
    </section>
  );
}

function CourseActionForm({
  choice,
  course,
  onCancel,
  onDone,
}: {
  choice: 'end' | 'fair';
  course: CourseDetail;
  onCancel: () => void;
  onDone: (text: string) => void;
}) {
  const submission = useSubmission();
  const { busy, error } = submission;
  const [title, setTitle] = useState(`${course.title}结业专场招聘会`);
  const [heldAt, setHeldAt] = useState(() => shanghaiInputValue(Date.parse(course.endsAt) + 86_400_000));

  const submit = (event: Event) => {
    event.preventDefault();
    const iso = choice === 'fair' ? fromShanghaiInput(heldAt) : null;
    if (choice === 'fair' && !iso) {
      submission.refuse('请填写有效的招聘会时间');
      return;
    }
    void submission.send(async (key) => {
      if (choice === 'end') {
        await endCourse(course.id, key);
        onDone('课程已结束：考勤已结算，正在安排结业招聘会。');
      } else {
        await arrangeFair({ title, heldAt: iso!, courseId: course.id }, key);
        onDone('结业招聘会已安排。');
      }
    });
  };

  return (
    <form class="action-form" onSubmit={submit} aria-label={COURSE_ACTION_LABELS[choice]}>
      {choice === 'end' ? (
        <p class="muted small">
          结课后按出勤结算每位学员是否结业，有考试的转入待考试，并安排结业专场招聘会。此操作不能撤回。
        </p>
      ) : (
        <>
          <p class="muted small">招聘会须在结课后 {durationLabel(course.fairWithin)} 内举办。</p>
          <label class="field">
            <span>招聘会名称</span>
            <input
              name="title"
              required
              maxLength={100}
              value={title}
              onInput={(e) => setTitle(e.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span>举办时间（北京时间）</span>
            <input
              name="heldAt"
              type="datetime-local"
              required
              value={heldAt}
              onInput={(e) => setHeldAt(e.currentTarget.value)}
            />
          </label>
        </>
      )}
      <ErrorBanner error={error} />
      <div class="form-buttons">
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? '正在提交……' : choice === 'end' ? '确认结课' : '确认安排'}
        </button>
        <button type="button" class="button button-quiet" onClick={onCancel} disabled={busy}>
          取消
        </button>
      </div>
    </form>
  );
}
