// Puts a simulator on the network: its router on loopback HTTP, its lifecycle ticking on a timer
// when asked, and one close() that stops node processes, the timer and the server.
import { startHttpServer, type Router, type SimResponse } from './http-server';
import type { InstanceLifecycle } from './lifecycle';

export interface ServedSimulator {
  url: string;
  close(): Promise<void>;
}

export async function serveSimulator<D>(router: Router, lifecycle: InstanceLifecycle<D>, options: { port?: number; host?: string; tickIntervalMs?: number; notFound?: SimResponse }): Promise<ServedSimulator> {
  const server = await startHttpServer(router, { port: options.port, host: options.host, notFound: options.notFound });
  const ticker = options.tickIntervalMs ? setInterval(() => lifecycle.tick(), options.tickIntervalMs) : null;
  ticker?.unref();
  return {
    url: server.url,
    close: async () => {
      if (ticker) clearInterval(ticker);
      await lifecycle.stopAllRuntimes();
      await server.close();
    },
  };
}
