import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_PATHS } from './hostile-paths';
import { resolveWorkspacePath, WorkspacePathError } from './workspace-path';


describe('workspace path confinement', () => {
  let root: string;
  let outside: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'agent-ws-'));
    outside = mkdtempSync(path.join(tmpdir(), 'agent-outside-'));
    writeFileSync(path.join(outside, 'passwd'), 'secret');
    mkdirSync(path.join(root, 'data/sub'), { recursive: true });
    mkdirSync(path.join(root, 'nested'));
    writeFileSync(path.join(root, 'data/file.txt'), 'ok');
    symlinkSync(outside, path.join(root, 'link-out'));
    symlinkSync('../..', path.join(root, 'nested/link-up'));
    symlinkSync(path.join(outside, 'missing-dir'), path.join(root, 'dangling-out'));
    symlinkSync('data/file.txt', path.join(root, 'link-in'));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it.each(HOSTILE_PATHS)('refuses %j', async (hostile) => {
    await expect(resolveWorkspacePath(root, hostile)).rejects.toBeInstanceOf(WorkspacePathError);
  });

  it('has at least 20 hostile cases', () => {
    expect(HOSTILE_PATHS.length).toBeGreaterThanOrEqual(20);
  });

  it('accepts ordinary paths, new files and links that stay inside', async () => {
    const { realpathSync } = await import('node:fs');
    const realRoot = realpathSync(root);
    expect(await resolveWorkspacePath(root, '')).toBe(realRoot);
    expect(await resolveWorkspacePath(root, 'data/file.txt')).toBe(path.join(realRoot, 'data/file.txt'));
    expect(await resolveWorkspacePath(root, './data//sub/')).toBe(path.join(realRoot, 'data/sub'));
    expect(await resolveWorkspacePath(root, 'new/dir/file.bin')).toBe(path.join(realRoot, 'new/dir/file.bin'));
    expect(await resolveWorkspacePath(root, 'link-in')).toBe(path.join(realRoot, 'data/file.txt'));
    expect(await resolveWorkspacePath(root, '..hidden/..file')).toBe(path.join(realRoot, '..hidden/..file'));
  });
});
