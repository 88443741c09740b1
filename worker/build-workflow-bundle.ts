/* CLI: bundles workflows/ into one file for production workers (WORKFLOW_BUNDLE_PATH), failing the build on error. */
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsEntry } from './workflows-path.js';

const out = path.resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
const { code } = await bundleWorkflowCode({ workflowsPath: workflowsEntry() });
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, code);
console.log(`Workflow bundle written to ${out} (${(code.length / 1024).toFixed(0)} KiB)`);
