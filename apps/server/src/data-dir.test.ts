import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensurePrivateDataDir } from './data-dir';

const modeOf = (path: string) => statSync(path).mode & 0o7777;
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});
function root(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-data-dir-'));
  roots.push(dir);
  return dir;
}

describe('the data directory', () => {
  it('is created 0700', () => {
    const dir = join(root(), 'a', 'data');
    expect(ensurePrivateDataDir(dir)).toEqual({ warning: null });
    expect(modeOf(dir)).toBe(0o700);
  });

  it('is tightened to 0700 when an older install left it open', () => {
    const dir = join(root(), 'data');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    expect(ensurePrivateDataDir(dir)).toEqual({ warning: null });
    expect(modeOf(dir)).toBe(0o700);
  });

  it('is left alone, with a warning, when it is shared (sticky) or holds the working directory', () => {
    const shared = join(root(), 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    expect(ensurePrivateDataDir(shared).warning).toMatch(/mode 1777, not 0700.*shared directory/);
    expect(modeOf(shared)).toBe(0o1777);

    const project = join(root(), 'project');
    mkdirSync(join(project, 'src'), { recursive: true });
    chmodSync(project, 0o755);
    expect(ensurePrivateDataDir(project, join(project, 'src')).warning).toMatch(/working directory or above it/);
    expect(ensurePrivateDataDir(project, project).warning).toMatch(/working directory or above it/);
    expect(modeOf(project)).toBe(0o755);
  });
});
