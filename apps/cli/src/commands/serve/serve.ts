// `gpu-shopper serve`: the server in this process until SIGINT/SIGTERM. The server code is
// imported on demand so every other command starts without loading it.
import { Command } from '../../clipanion';
import { ShopperCommand } from '../../base-command';
import { isCount, valueOption } from '../../options';

export class ServeCommand extends ShopperCommand {
  static override paths = [['serve']];
  static override usage = Command.Usage({
    category: 'Server',
    description: 'run the Cloud GPU Shopper server',
    details: `
      Configured from the environment like \`npm start\`: PORT, HOST, GPU_SHOPPER_DB, GPU_SHOPPER_ADMIN_KEY,
      VASTAI_API_KEY, TENSORDOCK_API_TOKEN... Without provider keys it runs against local simulators.
    `,
    examples: [
      ['Serve on port 8080', '$0 serve'],
      ['Serve on another port', '$0 serve --port=9090'],
    ],
  });

  // The server is configured from its environment; the client settings mean nothing here.
  override serverUrlFlag = undefined;
  override apiKeyFlag = undefined;

  port = valueOption('--port', { placeholder: 'n', validator: isCount({ min: 0 }), description: 'port to listen on (overrides PORT)' });
  host = valueOption('--host', { placeholder: 'address', description: 'address to bind (overrides HOST)' });

  async run(): Promise<number> {
    const { ConfigError, consoleLogger, loadConfig, startServer, startupMessage } = await import('@gpu-shopper/server');
    const env = { ...this.context.env, ...(this.port === undefined ? {} : { PORT: String(this.port) }), ...(this.host === undefined ? {} : { HOST: this.host }) };
    const logger = consoleLogger(this.context.stderr);
    let config;
    try {
      config = loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) {
        this.context.stderr.write(`gpu-shopper: ${error.message}\n`);
        return 2;
      }
      throw error;
    }
    const server = await startServer({ config, logger });
    this.print(startupMessage(server));
    const reason = await (this.context.stopServing ?? waitForSignal(['SIGINT', 'SIGTERM']));
    logger.info(`${String(reason)}: shutting down`);
    await server.close();
    return 0;
  }
}

/** Resolves with the first of the signals, then stops listening for the others. */
function waitForSignal(signals: NodeJS.Signals[]): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handlers = signals.map((signal) => {
      const handler = () => {
        for (const [other, otherHandler] of handlers) process.off(other, otherHandler);
        resolve(signal);
      };
      return [signal, handler] as const;
    });
    for (const [signal, handler] of handlers) process.once(signal, handler);
  });
}
