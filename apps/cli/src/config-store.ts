// The CLI's settings: a JSON file under the XDG config dir (mode 0600, it holds an API key), with
// GPU_SHOPPER_URL / GPU_SHOPPER_API_KEY taking precedence so scripts and CI need no file, and the
// --server-url / --api-key flags over both: flag > environment > file > default.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_SERVER_URL = 'http://localhost:8080';
export const CONFIG_FILE_NAME = 'config.json';

export interface StoredConfig {
  serverUrl?: string;
  apiKey?: string;
}

export type SettingSource = 'flag' | 'env' | 'file' | 'default';

/** The environment variables that override the file, by setting. */
export const ENV_URL = 'GPU_SHOPPER_URL';
export const ENV_API_KEY = 'GPU_SHOPPER_API_KEY';

/** What --server-url and --api-key said on this command line. */
export interface SettingFlags {
  serverUrl?: string;
  apiKey?: string;
}

export interface Settings {
  serverUrl: string;
  serverUrlSource: SettingSource;
  apiKey: string | null;
  apiKeySource: SettingSource | null;
  configFile: string;
}

/** A config file we cannot use: the user has to fix or remove it, so the message names it. */
export class ConfigFileError extends Error {}

/** `$XDG_CONFIG_HOME/gpu-shopper`, else `~/.config/gpu-shopper`. */
export function configDirFor(env: Record<string, string | undefined>): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg !== undefined && xdg !== '' ? xdg : join(env.HOME ?? homedir(), '.config');
  return join(base, 'gpu-shopper');
}

export function configFilePath(configDir: string): string {
  return join(configDir, CONFIG_FILE_NAME);
}

export async function readConfig(configDir: string): Promise<StoredConfig> {
  const file = configFilePath(configDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigFileError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigFileError(`${file} is not valid JSON; fix it or delete it and run "gpu-shopper config set"`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigFileError(`${file} must hold a JSON object`);
  const record = parsed as Record<string, unknown>;
  const config: StoredConfig = {};
  if (typeof record.serverUrl === 'string') config.serverUrl = record.serverUrl;
  if (typeof record.apiKey === 'string') config.apiKey = record.apiKey;
  return config;
}

/** Writes the whole file with mode 0600; chmod again because `mode` only applies to new files. */
export async function writeConfig(configDir: string, config: StoredConfig): Promise<string> {
  const file = configFilePath(configDir);
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

export async function updateConfig(configDir: string, changes: StoredConfig): Promise<string> {
  return writeConfig(configDir, { ...(await readConfig(configDir)), ...changes });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The first value given, and where it came from. */
function pick<T extends SettingSource>(candidates: readonly [T, string | undefined][]): { value: string; source: T } | null {
  for (const [source, value] of candidates) if (value !== undefined) return { value, source };
  return null;
}

export async function resolveSettings(configDir: string, env: Record<string, string | undefined>, flags: SettingFlags = {}): Promise<Settings> {
  const stored = await readConfig(configDir);
  const url = pick<SettingSource>([
    ['flag', nonEmpty(flags.serverUrl)],
    ['env', nonEmpty(env[ENV_URL])],
    ['file', nonEmpty(stored.serverUrl)],
  ]);
  const key = pick<SettingSource>([
    ['flag', nonEmpty(flags.apiKey)],
    ['env', nonEmpty(env[ENV_API_KEY])],
    ['file', nonEmpty(stored.apiKey)],
  ]);
  return {
    serverUrl: url?.value ?? DEFAULT_SERVER_URL,
    serverUrlSource: url?.source ?? 'default',
    apiKey: key?.value ?? null,
    apiKeySource: key?.source ?? null,
    configFile: configFilePath(configDir),
  };
}

/** Enough of a key to tell two apart, never enough to use: the first 6 characters. */
export function maskApiKey(key: string): string {
  return `${key.slice(0, 6)}…`;
}

/** An http(s) URL without a trailing slash, or null when the text is not one. */
export function normalizeServerUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return url.toString().replace(/\/+$/, '');
}
