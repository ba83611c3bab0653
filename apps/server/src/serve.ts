// The server as a process (`npm start`, through bundle-main.ts; from source, through main.ts),
// configured from the environment. The error boundary and the signal handling (graceful on the
// first SIGTERM/SIGINT, at once on the second) are in process-guards.ts. No top-level await: the
// build makes this module CommonJS (see bundle-main.ts).
import { ConfigError, loadConfig } from './config';
import { startupMessage } from './announce';
import { consoleLogger } from './logger';
import { installErrorBoundary, installShutdownSignals } from './process-guards';
import { startServer } from './start';

const logger = consoleLogger();
installErrorBoundary(logger);

async function serve(): Promise<void> {
  try {
    const server = await startServer({ config: loadConfig(), logger });
    process.stdout.write(`${startupMessage(server)}\n`);
    installShutdownSignals(() => server.close(), logger);
  } catch (error) {
    process.stderr.write(`gpu-shopper: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

void serve();
