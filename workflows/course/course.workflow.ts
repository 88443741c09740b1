import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  uuid4,
} from '@temporalio/workflow';
import type { createActivities } from '../../activities/index.js';
import { shortIo } from '../shared/activity-options.js';
import { traineePipelineWorkflowId } from '../shared/workflow-ids.js';
import { courseEndedSignal, fairInvitedSignal } from '../trainee-pipeline/trainee-pipeline.messages.js';
import { courseSnapshotQuery, endCourseUpdate } from './course.messages.js';
import {
  checkEnd,
  initialCourseState,
  type CourseActor,
  type CourseState,
  type CourseWorkflowInput,
  type Rejection,
} from './course.state.js';

const records = proxyActivities<ReturnType<typeof createActivities>>(shortIo);

export interface CourseOutcome {
  courseId: string;
  fairId: string | null;
  invited: number;
}

const throwIfRejected = (rejection: Rejection | null): void => {
  if (rejection) {
    throw ApplicationFailure.create({ type: rejection.type, message: rejection.message, nonRetryable: true });
  }
};

/**
 * One course (培训课程), started when the course is created. Waits on a durable timer for the course's planned end
 * (or the `endCourse` update of a trainer), then closes it: the course's end and each trainee's attendance go to
 * every enrolled or waiting trainee's pipeline. It then arranges the course's hiring fair within the course's
 * configured time (or takes the one staff already arranged for it), invites the enterprises whose open openings
 * fit the skills the course taught, records the profiles of the trainees who completed it as sent to each of those
 * enterprises, and invites those trainees' pipelines. Activities are idempotent on the course id; the fair's id is
 * made here, so a retried write finds the same fair.
 */
export async function courseWorkflow(input: CourseWorkflowInput): Promise<CourseOutcome> {
  const state: CourseState = initialCourseState(input);
  let endRequest: { actor: CourseActor } | null = null;

  setHandler(
    endCourseUpdate,
    async (request) => {
      throwIfRejected(checkEnd(state, request.actor, endRequest !== null));
      endRequest = request;
      await condition(() => state.phase === 'fair_arranged');
      return state;
    },
    { validator: (request) => throwIfRejected(checkEnd(state, request.actor, endRequest !== null)) },
  );
  setHandler(courseSnapshotQuery, () => state);

  await condition(() => endRequest !== null, Math.max(input.endsAt - Date.now(), 1));

  const endedBy = (endRequest as { actor: CourseActor } | null)?.actor.userId ?? null;
  const closing = await records.closeCourse({ courseId: input.courseId, endedAt: Date.now(), endedByUserId: endedBy });
  if (!closing.found) {
    // The course row was rolled back after this workflow started (the API's transaction failed): nothing to close.
    log.warn('Course not found at its end; nothing closed', { courseId: input.courseId });
    state.phase = 'fair_arranged';
    await condition(allHandlersFinished);
    return { courseId: input.courseId, fairId: null, invited: 0 };
  }
  state.phase = 'ended';
  state.endedAt = closing.endedAt;
  state.endedByUserId = endedBy;
  const pipeline = (workerId: string) => getExternalWorkflowHandle(traineePipelineWorkflowId(input.courseId, workerId));
  await Promise.all(
    closing.trainees.map(({ workerId, attended }) =>
      pipeline(workerId)
        .signal(courseEndedSignal, { attended, sessions: closing.sessions })
        .catch(() => log.warn('Course end not delivered to an ended pipeline', { courseId: input.courseId })),
    ),
  );
  state.signalled = closing.trainees.length;
  log.info('Course ended', { courseId: input.courseId, trainees: closing.trainees.length });

  const fair = await records.arrangeCourseFair({ courseId: input.courseId, fairId: uuid4(), endedAt: closing.endedAt });
  await Promise.all(
    fair.inviteeWorkerIds.map((workerId) =>
      pipeline(workerId)
        .signal(fairInvitedSignal, { fairId: fair.fairId, heldAt: fair.heldAt })
        .catch(() => log.warn('Fair invitation not delivered to an ended pipeline', { courseId: input.courseId })),
    ),
  );
  state.fairId = fair.fairId;
  state.fairHeldAt = fair.heldAt;
  state.invited = fair.inviteeWorkerIds.length;
  state.phase = 'fair_arranged';
  log.info('Course fair arranged', {
    courseId: input.courseId,
    fairId: fair.fairId,
    enterprises: fair.enterprises,
    invited: state.invited,
  });

  await condition(allHandlersFinished);
  return { courseId: input.courseId, fairId: fair.fairId, invited: state.invited };
}
