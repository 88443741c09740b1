import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The workflows entry for bundling, shared by the worker, the bundle script and the tests. Resolved from this
 * file's URL because vitest and plain ESM both lack `require.resolve` for extensionless TypeScript paths.
 */
export function workflowsEntry(): string {
  const ts = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL('../workflows/index.js', import.meta.url));
}
