// GET /node/v1/files?path=: lists one directory of the workspace.
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { NotFoundError } from '../errors';
import { protectedProcedure } from '../trpc';
import { resolveWorkspacePath } from './workspace-path';

const entrySchema = z.object({
  name: z.string(),
  path: z.string().describe('Relative to the workspace root'),
  type: z.enum(['file', 'directory', 'symlink', 'other']),
  sizeBytes: z.number().int(),
  modifiedAt: z.iso.datetime(),
});

export const listFilesInput = z.object({ path: z.string().max(4096).default('').describe('Directory relative to the workspace root') });
export const listFilesOutput = z.object({ path: z.string(), entries: z.array(entrySchema) });

export const listFiles = protectedProcedure
  .meta({ openapi: { method: 'GET', path: '/files', tags: ['files'], summary: 'List a workspace directory', protect: true } })
  .input(listFilesInput)
  .output(listFilesOutput)
  .query(async ({ input, ctx }) => {
    const directory = await resolveWorkspacePath(ctx.runtime.config.workspaceRoot, input.path);
    const dirents = await readdir(directory, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') throw new NotFoundError(`No directory ${input.path || '.'}`);
      throw error;
    });
    const relativeDir = path.relative(await resolveWorkspacePath(ctx.runtime.config.workspaceRoot, ''), directory);
    const entries = await Promise.all(
      dirents.map(async (dirent) => {
        const stats = await lstat(path.join(directory, dirent.name));
        const type = dirent.isSymbolicLink() ? 'symlink' : dirent.isDirectory() ? 'directory' : dirent.isFile() ? 'file' : 'other';
        return {
          name: dirent.name,
          path: path.posix.join(relativeDir.split(path.sep).join('/'), dirent.name),
          type,
          sizeBytes: stats.size,
          modifiedAt: stats.mtime.toISOString(),
        } as const;
      }),
    );
    entries.sort((a, b) => a.name.localeCompare(b.name));
    return { path: relativeDir.split(path.sep).join('/'), entries };
  });
