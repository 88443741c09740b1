/**
 * The perception scan as data: what starts one, how far it got, what each chunk did. Pure: the workflow, its
 * activities and the API share these types, and the workflow's few decisions live in the functions below.
 */

export type ScanKind = 'scan' | 'dry_run';
export type ScanTrigger = 'manual' | 'schedule';

/**
 * Workers per chunk when the starter names none. At a million workers, 25,000 scanned in about two thirds of the
 * time of 10,000 (40 activities and transactions instead of 100) and as fast as 50,000 with half the chunk's memory.
 */
export const DEFAULT_CHUNK_SIZE = 25_000;
/** Chunks evaluated at once: PostgreSQL does the work, two backends suit two cores. */
export const DEFAULT_PARALLELISM = 2;
/** Chunks one workflow run handles before it continues as new, keeping its history short. */
export const DEFAULT_CHUNKS_PER_RUN = 500;

export interface ScanRequest {
  /** Given by the API (from the Idempotency-Key or fresh); the nightly schedule leaves it to the workflow. */
  scanId?: string;
  kind: ScanKind;
  trigger: ScanTrigger;
  requestedByUserId?: string | null;
  /** The draft rule version a dry run tries in place of its rule's published one. */
  candidateVersionId?: string | null;
  chunkSize?: number;
  parallelism?: number;
  chunksPerRun?: number;
}

/** Where a scan continued as new picks up. */
export interface ScanResume {
  scanId: string;
  totalChunks: number;
  nextChunk: number;
  chunksDone: number;
}

export type PerceptionScanInput = ScanRequest & { resume?: ScanResume };

export interface BeginScanInput {
  scanId: string;
  workflowId: string;
  kind: ScanKind;
  trigger: ScanTrigger;
  requestedByUserId: string | null;
  candidateVersionId: string | null;
  chunkSize: number;
}

/** What the begin activity decided: run (with so many chunks), or skip because another scan holds the floor. */
export interface ScanPlan {
  scanId: string;
  status: 'running' | 'skipped' | 'completed' | 'failed' | 'abandoned';
  totalChunks: number;
  chunksDone: number;
  blockedByScanId: string | null;
}

export interface ChunkResult {
  chunkNo: number;
  workers: number;
  flagged: number;
  leadsCreated: number;
  leadsUpdated: number;
  leadsLapsed: number;
  suppressed: number;
  dryAdded: number;
  dryDropped: number;
}

export interface ScanTotals {
  scanId: string;
  status: string;
  chunksDone: number;
  workersScanned: number;
  leadsCreated: number;
}

/** The live state the workflow answers with (update and query). */
export interface ScanProgress {
  scanId: string;
  kind: ScanKind;
  status: 'starting' | 'running' | 'skipped' | 'completed' | 'failed';
  totalChunks: number;
  chunksDone: number;
  blockedByScanId: string | null;
}

export function initialProgress(scanId: string, input: PerceptionScanInput): ScanProgress {
  return {
    scanId,
    kind: input.kind,
    status: input.resume ? 'running' : 'starting',
    totalChunks: input.resume?.totalChunks ?? 0,
    chunksDone: input.resume?.chunksDone ?? 0,
    blockedByScanId: null,
  };
}

/** Settings of a run with the defaults filled in and out-of-range values brought into range. */
export function runSettings(input: ScanRequest): { chunkSize: number; parallelism: number; chunksPerRun: number } {
  const whole = (value: number | undefined, fallback: number, min: number, max: number) =>
    Math.min(max, Math.max(min, Math.floor(value ?? fallback)));
  return {
    chunkSize: whole(input.chunkSize, DEFAULT_CHUNK_SIZE, 1, 1_000_000),
    parallelism: whole(input.parallelism, DEFAULT_PARALLELISM, 1, 16),
    chunksPerRun: whole(input.chunksPerRun, DEFAULT_CHUNKS_PER_RUN, 1, 10_000),
  };
}
