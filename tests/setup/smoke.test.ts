import { Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createDb, type Db } from '../../db/database.js';
import { CASE_STATUS, CASE_STEP, HOLDER_UNIT_ID } from '../../workflows/shared/search-attributes.js';

describe('test setup', () => {
  let connection: Connection;
  let db: Db;

  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('temporalAddress') });
    db = createDb({ connectionString: inject('databaseUrl'), poolSize: 2 });
  });

  afterAll(async () => {
    await connection?.close();
    await db?.destroy();
  });

  test('the Temporal dev server answers on the provided address', async () => {
    const info = await connection.workflowService.getSystemInfo({});

    expect(info.capabilities?.signalAndQueryHeader).toBe(true);
  });

  test('the default namespace has the project search attributes registered', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });

    expect(Object.keys(customAttributes ?? {})).toEqual(
      expect.arrayContaining([CASE_STEP.name, CASE_STATUS.name, HOLDER_UNIT_ID.name]),
    );
  });

  test('the provided database is migrated and seeded', async () => {
    const { rows } = await sql<{ count: number }>`select count(*)::int as count from org_unit`.execute(db);
    const migrations = await sql<{ count: number }>`select count(*)::int as count from kysely_migration`.execute(db);

    expect(migrations.rows[0]?.count).toBeGreaterThan(0);
    expect(rows[0]?.count).toBeGreaterThan(0);
  });
});
