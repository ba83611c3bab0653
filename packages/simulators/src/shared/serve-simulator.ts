// Puts a simulator on the network: its router on loopback HTTP, its lifecycle ticking on a timer
// when asked, and one close() that stops the server, the timer and node processes, then lets the
// simulator save its state and free its ports.
import { startHttpServer, type Router, type SimResponse } from './http-server';
import type { InstanceLifecycle } from './lifecycle';

export interface ServedSimulator {
  url: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  port?: number;
  host?: string;
  anyPortIfTaken?: boolean;
  tickIntervalMs?: number;
  notFound?: SimResponse;
  /** After the nodes stopped: persist, release ports. */
  onClose?: () => void;
}

export async function serveSimulator<D>(router: Router, lifecycle: InstanceLifecycle<D>, options: ServeOptions): Promise<ServedSimulator> {
  const server = await startHttpServer(router, { port: options.port, host: options.host, notFound: options.notFound, anyPortIfTaken: options.anyPortIfTaken });
  const ticker = options.tickIntervalMs ? setInterval(() => lifecycle.tick(), options.tickIntervalMs) : null;
  ticker?.unref();
  let closing: Promise<void> | null = null;
  return {
    url: server.url,
    // Idempotent: a signal handler and a test's afterAll may both close.
    close: () =>
      (closing ??= (async () => {
        if (ticker) clearInterval(ticker);
        // No request may change the state after it is saved.
        await server.close();
        await lifecycle.stopAllRuntimes();
        options.onClose?.();
      })()),
  };
}
