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
 * Replays the committed histories of real pipelines and a course (recorded by training-record.test.ts) against the
 * workflow bundle of this run: a change to the training workflows that would take a running pipeline down another
 * path without `patched()` fails here (RELIABILITY D7).
 */

const HISTORIES_DIR = fileURLToPath(new URL('./training-histories/', import.meta.url));

describe('traineePipelineWorkflow and courseWorkflow replay of recorded histories', () => {
  let histories: { workflowId: string; history: History }[];

  beforeAll(async () => {
    const files = (await readdir(HISTORIES_DIR)).filter((file) => file.endsWith('.json')).sort();
    histories = await Promise.all(
      files.map(async (file) => ({
        workflowId: file.replace(/\.json$/, ''),
        history: historyFromJson(JSON.parse(await readFile(`${HISTORIES_DIR}${file}`, 'utf8'))),
      })),
    );
  });

  test('the recorded histories are present and each ran to completion without a failed workflow task', () => {
    const types = temporal.api.enums.v1.EventType;

    expect(histories.map((h) => h.workflowId)).toEqual([
      'course-ended-early-with-fair',
      'pipeline-closed-after-retake-and-lapsed-offer',
      'pipeline-promoted-then-declined',
      'pipeline-seat-expired',
    ]);
    for (const { history } of histories) {
      const events = history.events ?? [];
      expect(events.at(-1)?.eventType).toBe(types.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
      expect(events.filter((event) => event.eventType === types.EVENT_TYPE_WORKFLOW_TASK_FAILED)).toEqual([]);
    }
  });

  test('every recorded history replays against the current workflow code without an error', async () => {
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
