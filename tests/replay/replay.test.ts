import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import { readApiConfig } from '../../api/config.js';
import { EncryptionCodec } from '../../worker/payload-codec.js';
import { historyFromJson } from '../support/history-json.js';

const { temporal } = proto;

/*
 * Replays the committed histories of real processes against the workflow bundle of this run. A change to
 * workflows/ that would take a running case, pipeline, course, inspection, perception scan or lead review down
 * another path without `patched()` fails here with a DeterminismViolationError (RELIABILITY D7). Each folder is
 * written by its recorder, which runs only with RECORD_HISTORIES set
 * (`RECORD_HISTORIES=1 bash scripts/test.sh tests/replay/<recorder>.test.ts`).
 */

interface RecordedHistory {
  workflowId: string;
  history: History;
}

const RECORDED_SETS = [
  {
    workflows: 'caseLifecycleWorkflow',
    folder: 'histories',
    recorder: 'record.test.ts',
    names: ['closed-full-lifecycle', 'escalated-then-withdrawn', 'not-eligible', 'withdrawn-after-suspension'],
  },
  {
    workflows: 'traineePipelineWorkflow and courseWorkflow',
    folder: 'training-histories',
    recorder: 'training-record.test.ts',
    names: [
      'course-ended-early-with-fair',
      'pipeline-closed-after-retake-and-lapsed-offer',
      'pipeline-promoted-then-declined',
      'pipeline-seat-expired',
    ],
  },
  {
    workflows: 'stationInspectionWorkflow',
    folder: 'station-histories',
    recorder: 'stations-record.test.ts',
    names: ['inspection-excellent', 'inspection-failed-twice', 'inspection-passed', 'inspection-rectified'],
  },
  {
    workflows: 'perceptionScanWorkflow and perceptionLeadReviewWorkflow',
    folder: 'perception-histories',
    recorder: 'perception-record.test.ts',
    names: [
      'dry-run-completed',
      'review-escalated-unreviewed',
      'review-one-confirmed-one-dismissed',
      'scan-completed-with-leads',
      'scan-completed-without-new-leads',
      'scan-skipped-while-another-ran',
    ],
  },
];

async function readHistories(folder: string): Promise<RecordedHistory[]> {
  const dir = fileURLToPath(new URL(`./${folder}/`, import.meta.url));
  const files = (await readdir(dir)).filter((file) => file.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => ({
      workflowId: file.replace(/\.json$/, ''),
      history: historyFromJson(JSON.parse(await readFile(`${dir}${file}`, 'utf8'))),
    })),
  );
}

describe.each(RECORDED_SETS)('$workflows replay of the histories in $folder', ({ folder, recorder, names }) => {
  let histories: RecordedHistory[];

  beforeAll(async () => {
    histories = await readHistories(folder);
  });

  test(`the histories ${recorder} recorded are present and each ran to completion without a failed task`, () => {
    const types = temporal.api.enums.v1.EventType;

    expect(histories.map((h) => h.workflowId)).toEqual(names);
    for (const { history } of histories) {
      const events = history.events ?? [];
      expect(events.at(-1)?.eventType).toBe(types.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
      expect(events.filter((event) => event.eventType === types.EVENT_TYPE_WORKFLOW_TASK_FAILED)).toEqual([]);
    }
  });

  test('every history replays against the current workflow code without an error', async () => {
    const results: { workflowId: string; error: string | null }[] = [];

    for await (const result of Worker.runReplayHistories(
      {
        workflowBundle: { codePath: inject('workflowBundlePath') },
        dataConverter: { payloadCodecs: [new EncryptionCodec(readApiConfig({}).payloadCodecKey)] },
      },
      histories,
    )) {
      results.push({ workflowId: result.workflowId, error: result.error ? String(result.error) : null });
    }

    expect(results.sort((a, b) => a.workflowId.localeCompare(b.workflowId))).toEqual(
      histories.map(({ workflowId }) => ({ workflowId, error: null })),
    );
  });
});
