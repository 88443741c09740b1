import { describe, expect, test } from 'vitest';
import { chunkRange } from '../../activities/perception/scan.activities.js';
import {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_CHUNKS_PER_RUN,
  DEFAULT_PARALLELISM,
  initialProgress,
  runSettings,
} from '../../workflows/perception-scan/perception-scan.state.js';

describe('the perception scan plan', () => {
  test('covers the whole id space with its chunks, open at both ends', () => {
    const bounds = ['a', 'b', 'c'];

    expect([1, 2, 3, 4].map((n) => chunkRange(bounds, n))).toEqual([
      { after: null, upTo: 'a' },
      { after: 'a', upTo: 'b' },
      { after: 'b', upTo: 'c' },
      { after: 'c', upTo: null },
    ]);
    expect(chunkRange([], 1)).toEqual({ after: null, upTo: null });
  });

  test('fills in defaults and brings settings into range', () => {
    expect(runSettings({ kind: 'scan', trigger: 'schedule' })).toEqual({
      chunkSize: DEFAULT_CHUNK_SIZE,
      parallelism: DEFAULT_PARALLELISM,
      chunksPerRun: DEFAULT_CHUNKS_PER_RUN,
    });
    expect(runSettings({ kind: 'scan', trigger: 'manual', chunkSize: 0, parallelism: 99, chunksPerRun: 2.7 })).toEqual({
      chunkSize: 1,
      parallelism: 16,
      chunksPerRun: 2,
    });
  });

  test('resumes the progress a continued run carries', () => {
    const resumed = initialProgress('s', {
      kind: 'scan',
      trigger: 'manual',
      resume: { scanId: 's', totalChunks: 9, nextChunk: 5, chunksDone: 4 },
    });

    expect(resumed).toEqual({
      scanId: 's',
      kind: 'scan',
      status: 'running',
      totalChunks: 9,
      chunksDone: 4,
      blockedByScanId: null,
    });
  });
});
