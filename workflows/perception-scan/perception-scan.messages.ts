import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ScanProgress } from './perception-scan.state.js';

/**
 * Answers once the scan has been planned (its row written, its chunks counted) or skipped because another scan
 * is running. Sent with the start (update-with-start), so POST /perception/scans answers with a scan a client
 * can read at once.
 */
export const scanStartedUpdate = defineUpdate<ScanProgress>('scanStarted');

/** How far the scan is: chunks done of all chunks, and its status. */
export const scanProgressQuery = defineQuery<ScanProgress>('scanProgress');
