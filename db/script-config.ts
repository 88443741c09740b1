import { readCommonConfig } from './config.js';
import { text } from './env.js';

/** Settings of the migrate and seed scripts, read once at start. */
export const scriptConfig = Object.freeze({
  ...readCommonConfig(process.env),
  /** Password of the city-level `admin` account the seeds always create. */
  seedAdminPassword: text(process.env, 'SEED_ADMIN_PASSWORD', 'Admin@2026'),
  /** Password of every other demo account. */
  seedDemoPassword: text(process.env, 'SEED_DEMO_PASSWORD', 'Demo@2026'),
});
