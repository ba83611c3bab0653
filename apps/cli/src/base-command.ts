// The base of every command: resolves settings, makes the SDK client, writes to the context's
// streams only, and reports any failure as one stderr line with the right exit code.
import { Command, UsageError } from './clipanion';
import { createShopperClient, type RouterOutputs, type ShopperClient } from '@gpu-shopper/sdk';
import { configDirFor, resolveSettings, type Settings } from './config-store';
import type { ShopperContext } from './context';
import { describeFailure, SET_KEY_HINT } from './errors';

export type WhoAmI = RouterOutputs['admin']['whoami'];

export interface ClientOptions {
  /** Sent with every request of this client (e.g. `idempotency-key`, which also makes its mutations retryable after a 429). */
  headers?: Record<string, string>;
}

export abstract class ShopperCommand extends Command<ShopperContext> {
  private resolved: Settings | null = null;
  private caller: Promise<WhoAmI> | null = null;

  /** The command's work; returns an exit code or nothing for 0. */
  abstract run(): Promise<number | void>;

  async execute(): Promise<number> {
    try {
      return (await this.run()) ?? 0;
    } catch (error) {
      const failure = describeFailure(error, this.resolved?.serverUrl ?? null);
      this.context.stderr.write(`gpu-shopper: ${failure.message}\n`);
      // A stack only on request: users get one line, developers can still dig.
      if (this.context.env.GPU_SHOPPER_DEBUG && error instanceof Error && error.stack) this.context.stderr.write(`${error.stack}\n`);
      return failure.exitCode;
    }
  }

  protected get configDir(): string {
    return this.context.configDir ?? configDirFor(this.context.env);
  }

  protected async settings(): Promise<Settings> {
    this.resolved ??= await resolveSettings(this.configDir, this.context.env);
    return this.resolved;
  }

  /** An SDK client for the configured server and key; a missing key is the user's to fix. */
  protected async client(options: ClientOptions = {}): Promise<ShopperClient> {
    const settings = await this.settings();
    if (settings.apiKey === null) throw new UsageError(`no API key is set (${SET_KEY_HINT})`);
    const create = this.context.createClient ?? createShopperClient;
    const headers = options.headers ?? {};
    // The SDK waits out a 429's Retry-After (up to 30 s) and retries once where that is safe.
    return create({ url: settings.serverUrl, apiKey: settings.apiKey, ...(Object.keys(headers).length > 0 ? { headers } : {}) });
  }

  /** Who the configured key belongs to (asked once per command). */
  protected whoami(client: ShopperClient): Promise<WhoAmI> {
    this.caller ??= client.admin.whoami.query({});
    return this.caller;
  }

  protected now(): Date {
    return this.context.now?.() ?? new Date();
  }

  /** Whether the stream is a terminal (the context may say so for tests). */
  protected isTTY(stream: 'stdin' | 'stdout' | 'stderr'): boolean {
    return this.context.tty?.[stream] ?? Boolean((this.context[stream] as { isTTY?: boolean }).isTTY);
  }

  protected print(text: string): void {
    this.context.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Notes, progress and prompts: stderr, so stdout stays the command's result. */
  protected note(text: string): void {
    this.context.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** `--json` output: the response as the API sent it, pretty-printed, and nothing else. */
  protected printJson(value: unknown): void {
    this.print(JSON.stringify(value, null, 2));
  }
}
