// The base of every command that talks to the server: resolves settings (--server-url and --api-key
// on every command, over the environment and the config file), makes the SDK client, writes to the
// context's streams only, and reports any failure as one stderr line — or, with --json, one JSON
// object — with the right exit code.
import { Command, UsageError } from './clipanion';
import type { RouterOutputs, ShopperClient } from '@gpu-shopper/sdk';
import { colourFor, styleFor, type Style } from './color';
import { configDirFor, normalizeServerUrl, resolveSettings, type Settings } from './config-store';
import type { ShopperContext } from './context';
import { describeFailure, failureJson, SET_KEY_HINT } from './errors';
import { valueOption } from './options';
import { loadSdk } from './sdk';
import type { TableView } from './table';

export type WhoAmI = RouterOutputs['admin']['whoami'];

export interface ClientOptions {
  /** Sent with every request of this client (e.g. `idempotency-key`, which also makes its mutations retryable after a 429). */
  headers?: Record<string, string>;
}

/** The options every server command has; cli.ts lists them after each command's own in its help. */
export const GLOBAL_OPTION_NAMES: readonly string[] = ['--server-url', '--api-key'];

export abstract class ShopperCommand extends Command<ShopperContext> {
  serverUrlFlag = valueOption('--server-url', { placeholder: 'url', description: 'the server (default: GPU_SHOPPER_URL, then the config file)' });
  apiKeyFlag = valueOption('--api-key', { placeholder: 'key', description: 'the API key (default: GPU_SHOPPER_API_KEY, then the config file)' });

  private resolved: Settings | null = null;
  private caller: Promise<WhoAmI> | null = null;
  private names: Promise<ReadonlyMap<string, string>> | null = null;

  /** The command's work; returns an exit code or nothing for 0. */
  abstract run(): Promise<number | void>;

  async execute(): Promise<number> {
    try {
      return (await this.run()) ?? 0;
    } catch (error) {
      const failure = await describeFailure(error, this.resolved?.serverUrl ?? null);
      if (this.wantsJson()) this.context.stderr.write(failureJson(failure));
      else this.context.stderr.write(`${this.style('stderr').red('gpu-shopper:')} ${failure.message}\n`);
      // A stack only on request: users get one line, developers can still dig.
      if (this.context.env.GPU_SHOPPER_DEBUG && error instanceof Error && error.stack) this.context.stderr.write(`${error.stack}\n`);
      return failure.exitCode;
    }
  }

  /** Whether this run asked for JSON (`--json`, on the commands that have it). */
  protected wantsJson(): boolean {
    return (this as { json?: unknown }).json === true;
  }

  protected get configDir(): string {
    return this.context.configDir ?? configDirFor(this.context.env);
  }

  protected async settings(): Promise<Settings> {
    if (this.resolved === null) {
      const serverUrl = this.serverUrlFlag === undefined ? undefined : normalizeServerUrl(this.serverUrlFlag);
      if (serverUrl === null) throw new UsageError(`--server-url must be an http(s) URL, e.g. http://localhost:8080 (got "${this.serverUrlFlag}")`);
      this.resolved = await resolveSettings(this.configDir, this.context.env, { serverUrl, apiKey: this.apiKeyFlag });
    }
    return this.resolved;
  }

  /** An SDK client for the configured server and key; a missing key is the user's to fix. */
  protected async client(options: ClientOptions = {}): Promise<ShopperClient> {
    const settings = await this.settings();
    if (settings.apiKey === null) throw new UsageError(`no API key is set (${SET_KEY_HINT})`);
    const create = this.context.createClient ?? (await loadSdk()).createShopperClient;
    const headers = options.headers ?? {};
    // The SDK waits out a 429's Retry-After (up to 30 s) and retries once where that is safe.
    return create({ url: settings.serverUrl, apiKey: settings.apiKey, ...(Object.keys(headers).length > 0 ? { headers } : {}) });
  }

  /** Who the configured key belongs to (asked once per command). */
  protected whoami(client: ShopperClient): Promise<WhoAmI> {
    this.caller ??= client.admin.whoami.query({});
    return this.caller;
  }

  /**
   * Consumer names by id, for tables that would otherwise show ids; asked once per command. The API
   * has no consumer list: an operator's key list names every consumer that has a key, and a
   * consumer knows its own name. Anything else (an older server, no access) leaves the ids.
   */
  protected consumerNames(client: ShopperClient): Promise<ReadonlyMap<string, string>> {
    this.names ??= (async () => {
      const names = new Map<string, string>();
      try {
        const me = await this.whoami(client);
        if (me.role !== 'admin') {
          if (me.consumerId !== null && me.consumerName !== null) names.set(me.consumerId, me.consumerName);
          return names;
        }
        for (const key of (await client.admin.listKeys.query({})).keys) if (key.consumerId !== null && key.consumerName !== null) names.set(key.consumerId, key.consumerName);
      } catch {
        // Names are a nicety: without them the table shows ids, as it always did.
      }
      return names;
    })();
    return this.names;
  }

  /** How tables print here: colour on a terminal only. */
  protected tableStyle(): TableView {
    return { style: this.style('stdout') };
  }

  /** `tableStyle` plus consumer names, looked up only when the rows carry consumer ids. */
  protected async tableView(client: ShopperClient, consumerIds: readonly (string | null)[]): Promise<TableView> {
    const view = this.tableStyle();
    if (consumerIds.every((id) => id === null)) return view;
    const names = await this.consumerNames(client);
    return { ...view, consumerName: (id) => names.get(id) ?? id };
  }

  protected now(): Date {
    return this.context.now?.() ?? new Date();
  }

  /** Whether the stream is a terminal (the context may say so for tests). */
  protected isTTY(stream: 'stdin' | 'stdout' | 'stderr'): boolean {
    return this.context.tty?.[stream] ?? Boolean((this.context[stream] as { isTTY?: boolean }).isTTY);
  }

  /** Colour for what goes to `stream`: only on a terminal, never with NO_COLOR. */
  protected style(stream: 'stdout' | 'stderr' = 'stdout'): Style {
    return styleFor(colourFor(this.context, stream));
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
