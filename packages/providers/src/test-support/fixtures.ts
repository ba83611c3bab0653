// Finds the recorded provider fixtures: <repoRoot>/../shared/provider-api/fixtures, wherever the clone lives.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** This file sits at <repoRoot>/packages/providers/src/test-support/. */
export const FIXTURES_DIR = fileURLToPath(new URL('../../../../../shared/provider-api/fixtures/', import.meta.url));

export function fixturePath(name: string): string {
  return `${FIXTURES_DIR}${name}`;
}

export function readFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as T;
}
