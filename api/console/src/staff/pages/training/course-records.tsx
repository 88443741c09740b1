import { useState } from 'preact/hooks';
import { useSubmission } from '../../../shared/form-key.js';
import { ErrorBanner, Pending, useResource } from '../../../shared/ui.js';
import {
  enrolTrainee,
  fetchSurveys,
  recordAttendance,
  recordExamResults,
  type CourseDetail,
  type RosterEntry,
} from '../../data-training.js';

/**
 * The course page's forms for trainees: enrolment (officers and trainers), and the trainer's two registers, a
 * session's attendance and the exam results. Each offers only the trainees the API would take (surveyed workers
 * not yet on the course; confirmed seats; trainees waiting for the exam or its retake), and the API stays the judge
 * of everything else (the course's dates, seats and owning unit, the worker's union).
 */

/** Trainees holding a confirmed seat: the ones a session's register lists. */
export const onRegister = (course: CourseDetail): RosterEntry[] =>
  course.trainees.filter((t) => t.seat === 'confirmed' && t.status === 'open');

/** Trainees waiting for the exam or for its one retake. */
export const awaitingExam = (course: CourseDetail): RosterEntry[] =>
  course.trainees.filter((t) => t.status === 'open' && (t.step === 'exam' || t.step === 'retake'));

interface FormProps {
  course: CourseDetail;
  onCancel: () => void;
  onDone: (text: string) => void;
}

function FormButtons({ busy, label, onCancel }: { busy: boolean; label: string; onCancel: () => void }) {
  return (
    <div class="form-buttons">
      <button type="submit" class="button button-primary" disabled={busy}>
        {busy ? '正在提交……' : label}
      </button>
      <button type="button" class="button button-quiet" onClick={onCancel} disabled={busy}>
        取消
      </button>
    </div>
  );
}

/** One session's register: every trainee ticked present until the trainer unticks those who were absent. */
export function AttendanceForm({ course, onCancel, onDone }: FormProps) {
  const trainees = onRegister(course);
  const submission = useSubmission();
  const [session, setSession] = useState(1);
  const [absent, setAbsent] = useState<ReadonlySet<string>>(new Set());

  const toggle = (workerId: string, present: boolean) => {
    const next = new Set(absent);
    if (present) {
      next.delete(workerId);
    } else {
      next.add(workerId);
    }
    setAbsent(next);
  };

  const submit = (event: Event) => {
    event.preventDefault();
    const records = trainees.map((t) => ({ workerId: t.workerId, present: !absent.has(t.workerId) }));
    void submission.send(async (key) => {
      const done = await recordAttendance(course.id, { session, records }, key);
      onDone(`第 ${done.session} 次课考勤已登记：出勤 ${done.present} 人，缺勤 ${done.absent} 人。`);
    });
  };

  return (
    <form class="action-form" data-form="attendance" onSubmit={submit} aria-label="登记考勤">
      <p class="muted small">
        勾选到课的学员。同一课次再次登记即更正；出勤不足 {course.requiredAttendancePct}% 的学员不能结业。
      </p>
      <label class="field">
        <span>课次</span>
        <select name="session" value={session} onChange={(e) => setSession(Number(e.currentTarget.value))}>
          {Array.from({ length: course.sessions }, (_, i) => (
            <option key={i + 1} value={i + 1}>
              第 {i + 1} 次课
            </option>
          ))}
        </select>
      </label>
      <fieldset class="field">
        <legend>到课学员（{trainees.length} 人）</legend>
        {trainees.map((t) => (
          <label key={t.workerId} class="radio">
            <input
              type="checkbox"
              name={`present-${t.workerId}`}
              checked={!absent.has(t.workerId)}
              onChange={(e) => toggle(t.workerId, e.currentTarget.checked)}
            />
            {t.name}
          </label>
        ))}
      </fieldset>
      <ErrorBanner error={submission.error} />
      <FormButtons busy={submission.busy} label="确认登记考勤" onCancel={onCancel} />
    </form>
  );
}

type Verdict = '' | 'pass' | 'fail';

/** The exam results of the trainees waiting for the exam or its retake; a trainee left blank is not recorded. */
export function ExamForm({ course, onCancel, onDone }: FormProps) {
  const trainees = awaitingExam(course);
  const submission = useSubmission();
  const [verdicts, setVerdicts] = useState<Readonly<Record<string, Verdict>>>({});

  const submit = (event: Event) => {
    event.preventDefault();
    const results = trainees
      .filter((t) => verdicts[t.workerId])
      .map((t) => ({ workerId: t.workerId, passed: verdicts[t.workerId] === 'pass' }));
    if (results.length === 0) {
      submission.refuse('请至少为一名学员选择“合格”或“不合格”');
      return;
    }
    void submission.send(async (key) => {
      const done = await recordExamResults(course.id, results, key);
      const passed = done.items.filter((item) => item.passed).length;
      const retakes = done.items.filter((item) => item.step === 'retake').length;
      onDone(
        `考试成绩已登记：合格 ${passed} 人，不合格 ${done.items.length - passed} 人` +
          (retakes > 0 ? `，其中 ${retakes} 人转入补考。` : '。'),
      );
    });
  };

  return (
    <form class="action-form" data-form="exam" onSubmit={submit} aria-label="登记考试成绩">
      <p class="muted small">
        合格即颁发「{course.exam?.certificateLabel}」；首考不合格的可补考一次，补考仍不合格的不发证书，照常参加招聘会。
      </p>
      <div class="exam-results">
        {trainees.map((t) => (
          <label key={t.workerId} class="field field-inline">
            <span>
              {t.name}
              {t.step === 'retake' ? '（补考）' : ''}
            </span>
            <select
              name={`result-${t.workerId}`}
              value={verdicts[t.workerId] ?? ''}
              onChange={(e) => setVerdicts({ ...verdicts, [t.workerId]: e.currentTarget.value as Verdict })}
            >
              <option value="">暂不登记</option>
              <option value="pass">合格</option>
              <option value="fail">不合格</option>
            </select>
          </label>
        ))}
      </div>
      <ErrorBanner error={submission.error} />
      <FormButtons busy={submission.busy} label="确认登记成绩" onCancel={onCancel} />
    </form>
  );
}

/**
 * Enrols one surveyed worker of the caller's subtree who is not yet on the course. Known limit: it offers the
 * workers of the newest 100 surveys only; an older survey's worker is enrolled through the API.
 */
export function EnrolForm({ course, onCancel, onDone }: FormProps) {
  const surveys = useResource(fetchSurveys, []);
  const submission = useSubmission();
  const [workerId, setWorkerId] = useState('');

  if (!surveys.data) {
    return <Pending resource={surveys} label="正在读取摸排名单……" />;
  }
  const onCourse = new Set(course.trainees.map((t) => t.workerId));
  const seen = new Set<string>();
  const candidates = surveys.data.items.filter((survey) => {
    const fresh = !onCourse.has(survey.workerId) && !seen.has(survey.workerId);
    seen.add(survey.workerId);
    return fresh;
  });

  const submit = (event: Event) => {
    event.preventDefault();
    const chosen = candidates.find((survey) => survey.workerId === workerId);
    if (!chosen) {
      submission.refuse('请选择要报名的职工');
      return;
    }
    void submission.send(async (key) => {
      const pipeline = await enrolTrainee(course.id, chosen.workerId, key);
      onDone(
        pipeline.step === 'waitlist'
          ? `已为${chosen.workerName}报名：名额已满，进入候补名单。`
          : `已为${chosen.workerName}报名：名额已保留，待学员确认。`,
      );
    });
  };

  return (
    <form class="action-form" data-form="enrol" onSubmit={submit} aria-label="报名学员">
      <p class="muted small">
        可为已做就业需求摸排、属于开课单位的职工报名；有空余名额的待学员确认，名额已满的进入候补。
      </p>
      {candidates.length === 0 ? (
        <p class="muted">没有可报名的职工：本辖区最近摸排的职工都已在本课程中。</p>
      ) : (
        <label class="field">
          <span>职工（按摸排时间，新的在前）</span>
          <select name="workerId" value={workerId} onChange={(e) => setWorkerId(e.currentTarget.value)}>
            <option value="">请选择</option>
            {candidates.map((survey) => (
              <option key={survey.workerId} value={survey.workerId}>
                {survey.workerName}（技能：{survey.skills.map((s) => s.label).join('、') || '无'}；意向：
                {survey.wishedSkills.map((s) => s.label).join('、') || '无'}）
              </option>
            ))}
          </select>
        </label>
      )}
      <ErrorBanner error={submission.error} />
      <FormButtons busy={submission.busy} label="确认报名" onCancel={onCancel} />
    </form>
  );
}
