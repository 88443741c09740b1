import { Client, Connection } from '@temporalio/client';
import { createDb } from '../db/database.js';
import { EncryptionCodec } from '../worker/payload-codec.js';
import { createLogger } from '../worker/logger.js';
import { buildApp } from './app.js';
import { apiConfigFromEnvironment } from './config.js';

const config = apiConfigFromEnvironment();
const logger = createLogger(config.logLevel).child({ service: 'api' });
const db = createDb({
  connectionString: config.databaseUrl,
  poolSize: config.databasePoolSize,
  logger: logger.child({ component: 'db' }),
});
const connection = await Connection.connect({ address: config.temporal.address });
const client = new Client({
  connection,
  namespace: config.temporal.namespace,
  dataConverter: { payloadCodecs: [new EncryptionCodec(config.payloadCodecKey)] },
});
const app = await buildApp({ config, db, temporal: { client, taskQueue: config.temporal.taskQueue }, logger });

let closing = false;
async function close(signal: string) {
  if (closing) {
    return;
  }
  closing = true;
  logger.info({ signal }, 'API shutting down');
  await app.close();
  await connection.close();
  await db.destroy();
}
process.once('SIGINT', () => void close('SIGINT'));
process.once('SIGTERM', () => void close('SIGTERM'));

await app.listen({ host: config.host, port: config.port });
