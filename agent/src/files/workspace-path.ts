// Confines every user-supplied path to the workspace root: relative paths only, no "..", no NUL,
// no (double-)encoded traversal, and no symlink whose target lies outside the root.
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';

export class WorkspacePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkspacePathError';
  }
}

/** Well inside Linux's PATH_MAX (4096 bytes) and NAME_MAX (255), so the file system never has to refuse a path. */
export const MAX_PATH_BYTES = 1024;
export const MAX_SEGMENT_BYTES = 255;
export const MAX_PATH_DEPTH = 32;

const refuse = (why: string): never => {
  throw new WorkspacePathError(`Path refused: ${why}`);
};

/** Static checks on the text of the path; returns its normalized relative form ('' for the root). */
export function checkRelativePath(userPath: string): string {
  if (Buffer.byteLength(userPath) > MAX_PATH_BYTES) refuse(`longer than ${MAX_PATH_BYTES} bytes`);
  if (userPath.includes('\0')) refuse('contains a NUL byte');
  // The HTTP layer has already decoded once; anything still percent-encoded is an evasion attempt.
  if (/%[0-9a-f]{2}/i.test(userPath)) refuse('contains percent-encoding');
  if (userPath.includes('\\')) refuse('contains a backslash');
  if (path.posix.isAbsolute(userPath) || /^[a-z]:/i.test(userPath)) refuse('must be relative to the workspace');
  const segments = userPath.split('/');
  if (segments.some((segment) => segment === '..')) refuse('contains ".."');
  const named = segments.filter((segment) => segment !== '' && segment !== '.');
  if (named.length > MAX_PATH_DEPTH) refuse(`deeper than ${MAX_PATH_DEPTH} directories`);
  if (named.some((segment) => Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)) refuse(`has a name longer than ${MAX_SEGMENT_BYTES} bytes`);
  return named.join('/');
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

async function existingAncestor(target: string): Promise<string> {
  let current = target;
  for (;;) {
    try {
      await lstat(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/**
 * Resolves a user path to an absolute path inside the workspace. The deepest existing part of the
 * path is resolved through symlinks and must stay inside the (resolved) root, so a link pointing
 * out of the workspace cannot be read, written through or listed.
 */
export async function resolveWorkspacePath(workspaceRoot: string, userPath: string): Promise<string> {
  const relative = checkRelativePath(userPath);
  const rootReal = await realpath(workspaceRoot);
  const target = path.resolve(rootReal, relative);
  if (!isInside(rootReal, target)) refuse('escapes the workspace');
  const ancestor = await existingAncestor(target);
  const ancestorReal = await realpath(ancestor).catch(() => refuse('cannot be resolved'));
  if (!isInside(rootReal, ancestorReal)) refuse('leads out of the workspace through a symlink');
  return path.join(ancestorReal, path.relative(ancestor, target));
}
