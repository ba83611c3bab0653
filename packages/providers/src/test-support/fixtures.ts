// Finds the recorded provider fixtures kept in the repository (packages/providers/fixtures).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** This file sits at packages/providers/src/test-support/. */
export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export function fixturePath(name: string): string {
  return `${FIXTURES_DIR}${name}`;
}

export function readFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as T;
}
