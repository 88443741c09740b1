import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { SEARCH_ATTRIBUTE_FLAGS } from '../../workflows/shared/search-attributes.js';

const script = fileURLToPath(new URL('../../scripts/temporal-dev-server.sh', import.meta.url));

describe('scripts/temporal-dev-server.sh', () => {
  test('refuses to start an in-memory server, which would lose every case on restart', () => {
    const run = spawnSync('bash', [script], { env: { ...process.env, TEMPORAL_DB_FILE: '' }, encoding: 'utf8' });

    expect(run.status).toBe(1);
    expect(run.stderr).toContain('refusing to start without a database file');
  });

  test.each(SEARCH_ATTRIBUTE_FLAGS)('registers the search attribute %s that the workflows set', (flag) => {
    expect(readFileSync(script, 'utf8')).toContain(`--search-attribute ${flag}`);
  });

  test('keeps the server state in the database file', () => {
    expect(readFileSync(script, 'utf8')).toContain('--db-filename "${db_file}"');
  });
});
