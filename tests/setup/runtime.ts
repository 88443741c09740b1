import { IllegalStateError } from '@temporalio/common';
import { DefaultLogger, Runtime } from '@temporalio/worker';

/*
 * Installs the Temporal Runtime with a WARN logger before any worker or connection exists in this test process.
 * The SDK's modules are loaded natively and outlive vitest's module reset, so a process that runs a second test
 * file finds the Runtime already installed; that is the one error tolerated here.
 */
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch (error) {
  if (!(error instanceof IllegalStateError)) {
    throw error;
  }
}
