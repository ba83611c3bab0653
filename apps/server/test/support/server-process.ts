// The server as a process of its own, for crash tests: configuration from the environment (the
// providers are the test's simulators), its URL printed as one JSON line once it serves.
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/logger';
import { startServer } from '../../src/start';

const server = await startServer({ config: loadConfig(process.env), logger: silentLogger });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
