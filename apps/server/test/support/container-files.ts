// Reads the deployment files as Docker and Compose would, for tests that lint them and load the
// server's config from them (there is no Docker engine in CI): the Dockerfile's stages, a compose
// service's environment after `${...}` interpolation, and env files such as .env.example.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export const repoRoot = path.resolve(import.meta.dirname, '../../../..');

export const readRepoFile = (relativePath: string): string => readFileSync(path.join(repoRoot, relativePath), 'utf8');

export interface DockerInstruction {
  keyword: string;
  args: string;
  line: number;
}

export interface DockerStage {
  /** The FROM argument: an image reference, or an earlier stage's name. */
  from: string;
  name: string | null;
  instructions: DockerInstruction[];
}

/** Stages in order, continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): DockerStage[] {
  const stages: DockerStage[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending === '') startLine = index + 1;
    if (line.startsWith('#')) return; // a comment inside a continued instruction
    pending += `${line.replace(/\\$/, '').trim()} `;
    if (line.endsWith('\\')) return;
    const [keyword = '', ...rest] = pending.trim().split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' '), line: startLine };
    pending = '';
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      stages.push({ from: match?.[1] ?? instruction.args, name: match?.[2] ?? null, instructions: [] });
      return;
    }
    stages.at(-1)?.instructions.push(instruction);
  });
  return stages;
}

/** The variables an image's ENV instructions set (`ENV A=1 B=2`, or the old `ENV A 1`). */
export function imageEnv(stage: DockerStage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of stage.instructions.filter((instruction) => instruction.keyword === 'ENV')) {
    if (!args.includes('=')) {
      const [name = '', ...value] = args.split(/\s+/);
      env[name] = value.join(' ');
      continue;
    }
    for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g)) env[match[1]!] = match[3] ?? match[2]!;
  }
  return env;
}

export class MissingVariableError extends Error {}

/**
 * Compose's interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?message}`, `${VAR?message}`, `${VAR:+replacement}`, `${VAR+replacement}`. Unset without a
 * default is "" (Compose warns); a missing required variable throws, as Compose refuses to start.
 */
export function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$(\$|([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])((?:[^{}]|\{[^{}]*\})*))?\})/g, (whole, dollar: string, bare?: string, name?: string, colon?: string, operator?: string, operand = '') => {
    if (dollar === '$') return '$';
    if (bare !== undefined) return env[bare] ?? '';
    const current = env[name!];
    const set = colon === ':' ? current !== undefined && current !== '' : current !== undefined;
    switch (operator) {
      case undefined:
        return current ?? '';
      case '-':
        return set ? current! : interpolate(operand, env);
      case '+':
        return set ? interpolate(operand, env) : '';
      case '?':
        if (!set) throw new MissingVariableError(`${name}: ${operand || 'required'}`);
        return current!;
      default:
        return whole;
    }
  });
}

/** Every variable name interpolated in a parsed compose file's values (comments and keys are not). */
export function interpolatedNames(document: unknown): string[] {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const match of value.replaceAll('$$', '').matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g)) names.add(match[1] ?? match[2]!);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(document);
  return [...names].sort();
}

export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  restart?: string;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  environment?: string[] | Record<string, string | number | boolean | null>;
  env_file?: unknown;
  ports?: (string | { target: number })[];
  expose?: (string | number)[];
  stop_grace_period?: string;
  depends_on?: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

export function parseCompose(text: string): ComposeFile {
  return parseYaml(text, { merge: true }) as ComposeFile;
}

/**
 * What a service's `environment:` puts into its container, given the shell's env (and infra/.env,
 * which Compose also interpolates from): `NAME=value` and `NAME: value` interpolated, and a bare
 * `NAME` (or `NAME:` with no value) copied from that env when set there, left out otherwise.
 */
export function serviceEnvironment(service: ComposeService, shellEnv: Record<string, string>): Record<string, string> {
  const entries: [string, string | null][] = Array.isArray(service.environment)
    ? service.environment.map((entry) => {
        const equals = entry.indexOf('=');
        return equals === -1 ? [entry, null] : [entry.slice(0, equals), entry.slice(equals + 1)];
      })
    : Object.entries(service.environment ?? {}).map(([name, value]) => [name, value === null ? null : String(value)]);
  const env: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (value !== null) env[name] = interpolate(value, shellEnv);
    else if (shellEnv[name] !== undefined) env[name] = shellEnv[name];
  }
  return env;
}

export interface EnvFileEntry {
  name: string;
  value: string;
  commented: boolean;
}

/** `NAME=value` lines, and `# NAME=value` lines (commented out), of an env file. */
export function parseEnvFile(text: string): EnvFileEntry[] {
  return text.split('\n').flatMap((line) => {
    const match = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    return match === null ? [] : [{ name: match[2]!, value: match[3]!.trim(), commented: match[1] !== undefined }];
  });
}
