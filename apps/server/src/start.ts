// Starts the whole server: database (migrated), operator bootstrap, providers, HTTP. Used by
// `npm start`, `gpu-shopper serve`, the end-to-end tests and the benchmarks.
import type { Clock } from '@gpu-shopper/domain';
import { systemClock } from '@gpu-shopper/domain';
import { openDatabase } from '@gpu-shopper/db';
import { ApiKeyService, CallerCache, InventoryService, type OfferSource } from '@gpu-shopper/services';
import type { ApiDeps } from '@gpu-shopper/api';
import type { FastifyInstance } from 'fastify';
import { bootstrapAdminKey, type AdminBootstrap } from './admin-bootstrap';
import type { ServerConfig } from './config';
import { buildHttpServer } from './http/build-server';
import { consoleLogger, type Logger } from './logger';
import { setUpProviders } from './providers';

export interface StartOptions {
  config: ServerConfig;
  clock?: Clock;
  logger?: Logger;
  /** Replaces the configured providers (tests, benchmarks). */
  adapters?: OfferSource[];
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  deps: ApiDeps;
  admin: AdminBootstrap;
  simulatedProviders: string[];
  close(): Promise<void>;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger();
  const orm = await openDatabase({ dbPath: config.dbPath });
  const callerCache = new CallerCache(clock);
  const admin = await bootstrapAdminKey(new ApiKeyService(orm.em.fork(), clock, callerCache), { adminKey: config.adminKey, adminKeyFile: config.adminKeyFile });

  const providers = options.adapters === undefined ? await setUpProviders(config, clock, logger) : { adapters: options.adapters, simulated: [], close: async () => {} };
  const inventory = new InventoryService({ adapters: providers.adapters, clock, diskGb: config.offerDiskGb, logger });
  const deps: ApiDeps = { orm, clock, inventory, callerCache, provisioner: null };
  const app = buildHttpServer(deps, logger);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await providers.close();
    await orm.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return {
    url: `http://${host}:${port}`,
    app,
    deps,
    admin,
    simulatedProviders: providers.simulated,
    close: async () => {
      await app.close();
      await providers.close();
      await orm.close();
    },
  };
}
