import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CourseActor, CourseSnapshot } from './course.state.js';

/**
 * A trainer ends the course before its planned end. Answers once the course is closed, every trainee told and the
 * hiring fair arranged. Failure types CourseEndedError, RoleNotAllowedError, NotStepHolderError.
 */
export const endCourseUpdate = defineUpdate<CourseSnapshot, [{ actor: CourseActor }]>('endCourse');

/** The workflow's live state of the course. */
export const courseSnapshotQuery = defineQuery<CourseSnapshot>('courseSnapshot');
