import type { DeadlinePlan, PipelineClock } from '../workflows/trainee-pipeline/trainee-pipeline.state.js';
import { parseDuration } from '../workflows/shared/duration.js';
import type { PipelineLimits } from '../workflows/shared/training-vocabulary.js';
import { deadlineAfter, type HolidayCalendar } from '../workflows/shared/working-time.js';

/**
 * Works out a pipeline step's clock from its plan and the course's time limits: the moment the step opens for
 * action (follow-ups), then its deadline, each counted on its limit's calendar (working days skip weekends and
 * public holidays; natural days do not).
 */
export function planPipelineClock(
  plan: DeadlinePlan,
  limits: PipelineLimits,
  calendar: HolidayCalendar,
  stepSeq: number,
): PipelineClock {
  const after = (from: number, name: keyof PipelineLimits) => {
    const limit = limits[name];
    const ms = parseDuration(limit.duration);
    if (ms === null) {
      throw new Error(`Stored time limit ${name} "${limit.duration}" is not a valid duration`);
    }
    return deadlineAfter(from, ms, limit.calendar, calendar);
  };
  const opensAt = plan.opensAfter ? after(plan.from, plan.opensAfter) : null;
  const dueAt = plan.dueAfter ? after(opensAt ?? plan.from, plan.dueAfter) : (opensAt ?? plan.from);
  return { stepSeq, opensAt, dueAt, onDue: plan.onDue, opened: false, escalated: false };
}
