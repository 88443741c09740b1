import type { StaffRole } from '../shared/case-vocabulary.js';
import { FailureType } from '../shared/failure-types.js';
import { isWithin, type UnitRef } from '../shared/org-path.js';
import { COURSE_ROLES } from '../shared/training-vocabulary.js';

/** A course's process as pure data and checks: running until it ends, then its hiring fair is arranged. */

export interface CourseActor {
  userId: string;
  role: StaffRole;
  unit: UnitRef;
}

export interface CourseWorkflowInput {
  courseId: string;
  ownerUnit: UnitRef;
  /** The planned end, epoch ms: the course closes by itself then, unless a trainer ends it earlier. */
  endsAt: number;
}

export type CoursePhase = 'running' | 'ended' | 'fair_arranged';

export interface CourseState {
  courseId: string;
  ownerUnit: UnitRef;
  endsAt: number;
  phase: CoursePhase;
  endedAt: number | null;
  endedByUserId: string | null;
  fairId: string | null;
  fairHeldAt: number | null;
  /** Trainees told that the course ended, and those invited to its fair. */
  signalled: number;
  invited: number;
}

export type CourseSnapshot = CourseState;

export interface Rejection {
  type: string;
  message: string;
}

export const initialCourseState = (input: CourseWorkflowInput): CourseState => ({
  courseId: input.courseId,
  ownerUnit: input.ownerUnit,
  endsAt: input.endsAt,
  phase: 'running',
  endedAt: null,
  endedByUserId: null,
  fairId: null,
  fairHeldAt: null,
  signalled: 0,
  invited: 0,
});

/** Whether a member of staff may end the course now; null means yes. */
export function checkEnd(state: CourseState, actor: CourseActor, endRequested: boolean): Rejection | null {
  if (state.phase !== 'running' || endRequested) {
    return { type: FailureType.CourseEnded, message: '课程已经结束，不能重复结束' };
  }
  if (!COURSE_ROLES.includes(actor.role)) {
    return { type: FailureType.RoleNotAllowed, message: '只有培训师或管理员可以结束课程' };
  }
  if (!isWithin(state.ownerUnit.path, actor.unit.path)) {
    return { type: FailureType.NotStepHolder, message: '该课程不属于您单位，无权结束' };
  }
  return null;
}
