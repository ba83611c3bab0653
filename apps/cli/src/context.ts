// What every command runs with: clipanion's streams and env, plus where the config lives and how
// the SDK client is made — injectable so tests run commands in-process against any server.
import type { BaseContext } from './clipanion';
import type { ShopperClient, ShopperClientOptions } from '@gpu-shopper/sdk';

export interface ShopperContext extends BaseContext {
  /** Overrides the config directory (default: from XDG_CONFIG_HOME / HOME in `env`). */
  configDir?: string;
  /** Makes the SDK client (default: `createShopperClient`). */
  createClient?: (options: ShopperClientOptions) => ShopperClient;
  /** The current time, for "time left" (default: the system clock). */
  now?: () => Date;
  /** `serve` stops when this settles (default: on SIGINT or SIGTERM). */
  stopServing?: Promise<unknown>;
  /** Whether each stream is a terminal (default: the stream's own `isTTY`); tests pretend. */
  tty?: { stdin?: boolean; stdout?: boolean; stderr?: boolean };
  /** Terminal width for charts (default: 80). */
  columns?: number;
  /** How often `provision --wait` polls (default: 2 s). */
  pollIntervalMs?: number;
}
