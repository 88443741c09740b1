import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { createDb } from '../db/database.js';
import { workerConfigFromEnvironment } from './config.js';
import { createCaseWorker } from './create-worker.js';
import { createLogger, PinoTemporalLogger } from './logger.js';
import { EncryptionCodec } from './payload-codec.js';
import { ensureSchedules, platformSchedules } from './schedules.js';

const config = workerConfigFromEnvironment();
const logger = createLogger(config.logLevel).child({ service: 'worker' });
Runtime.install({ logger: new PinoTemporalLogger(logger) });

const db = createDb({
  connectionString: config.databaseUrl,
  poolSize: config.databasePoolSize,
  logger: logger.child({ component: 'db' }),
});
const connection = await NativeConnection.connect({ address: config.temporal.address });
const clientConnection = await Connection.connect({ address: config.temporal.address });
try {
  const client = new Client({
    connection: clientConnection,
    namespace: config.temporal.namespace,
    dataConverter: { payloadCodecs: [new EncryptionCodec(config.payloadCodecKey)] },
  });
  const worker = await createCaseWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    db,
    payloadCodecKey: config.payloadCodecKey,
    workflowBundlePath: config.workflowBundlePath,
    maxConcurrentActivities: config.maxConcurrentActivities,
  });
  const schedules = platformSchedules(config.temporal.taskQueue, {
    inspectionRhythms: config.inspectionRhythms,
    perceptionScanChunkSize: config.perceptionScanChunkSize,
  });
  await ensureSchedules(client, config.temporal.taskQueue, schedules, logger);
  logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'Worker started');
  await worker.run();
  logger.info('Worker stopped');
} finally {
  await clientConnection.close();
  await connection.close();
  await db.destroy();
}
