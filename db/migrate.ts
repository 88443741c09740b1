/* CLI: creates the database if needed and migrates it to the latest version. */
import { createDb } from './database.js';
import { ensureDatabase, migrateToLatest } from './migrator.js';
import { scriptConfig } from './script-config.js';

const created = await ensureDatabase(scriptConfig.databaseUrl);
if (created) {
  console.log('Created database');
}
const db = createDb({ connectionString: scriptConfig.databaseUrl, poolSize: 2 });
try {
  const result = await migrateToLatest(db);
  for (const migration of result.results ?? []) {
    console.log(`Migration ${migration.migrationName}: ${migration.status}`);
  }
  console.log('Database is at the latest version');
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
