import { log, proxyActivities, sleep } from '@temporalio/workflow';
import type { createActivities } from '../../activities/index.js';
import { longIo } from '../shared/activity-options.js';

// Both activities update every open lead of a scan in one statement, which may be a hundred thousand rows.
const records = proxyActivities<ReturnType<typeof createActivities>>(longIo);

export interface LeadReviewInput {
  scanId: string;
}

/**
 * The review deadline of the leads one scan raised, escalated like a late case step. The plan activity computes
 * the deadline from the scan's review limit (working days and holidays counted) and tells each reviewing unit's
 * supervisors how many new leads wait; at the deadline, leads still open are overdue and the supervisors one level
 * up are told, and after each further full limit one level higher, up to the city. One workflow per scan, not per
 * lead: it holds only timers and reads which leads are still open from PostgreSQL when each one fires, so it ends
 * early once every lead has been confirmed or dismissed.
 */
export async function perceptionLeadReviewWorkflow(input: LeadReviewInput): Promise<{ scanId: string; open: number }> {
  const plan = await records.planLeadReview({ scanId: input.scanId });
  let open = plan.leads;
  for (const point of plan.escalations) {
    if (open === 0) {
      break;
    }
    await sleep(Math.max(point.at - Date.now(), 1));
    open = (await records.escalateUnreviewedLeads({ scanId: input.scanId, level: point.level })).open;
    log.info('Unreviewed leads escalated', { scanId: input.scanId, level: point.level, open });
  }
  return { scanId: input.scanId, open };
}
