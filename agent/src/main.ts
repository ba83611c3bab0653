// Entry point of the bundled agent (dist/agent.js): configuration from the environment, then run
// until the shopper asks for a shutdown or the process is told to stop.
import { ConfigError, configFromEnv } from './config';
import { startAgent } from './agent';
import { consoleLogger } from './logger';

let config;
try {
  config = configFromEnv(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

const agent = await startAgent(config, { logger: consoleLogger });
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void agent.shutdown(`received ${signal}`).finally(() => process.exit(0));
  });
}
const reason = await agent.stopped;
// Not exiting: the shopper should now destroy the node; if it does not, the dead-man switch will.
consoleLogger.info('agent wound down; waiting to be destroyed (dead-man switch armed)', { reason });
