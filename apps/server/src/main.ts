// `npm start`: the server as a process, configured from the environment.
import { ConfigError, loadConfig } from './config';
import { startupMessage } from './announce';
import { consoleLogger } from './logger';
import { startServer } from './start';

const logger = consoleLogger();
try {
  const server = await startServer({ config: loadConfig(), logger });
  process.stdout.write(`${startupMessage(server)}\n`);
  const stop = (signal: string) => {
    logger.info(`${signal}: shutting down`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
} catch (error) {
  process.stderr.write(`gpu-shopper: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
