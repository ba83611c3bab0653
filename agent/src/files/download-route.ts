// GET /node/v1/files/download/{path}: streams a workspace file, with single-range Range support.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors';
import type { AgentRuntime } from '../runtime';
import { parseByteRange } from './byte-range';
import { resolveWorkspacePath } from './workspace-path';

export function registerDownloadRoute(app: FastifyInstance, runtime: AgentRuntime): void {
  app.get('/node/v1/files/download/*', async (request, reply) => {
    const userPath = (request.params as { '*'?: string })['*'] ?? '';
    if (userPath === '') throw new HttpError(400, 'BAD_REQUEST', 'path is required', 'path');
    const file = await resolveWorkspacePath(runtime.config.workspaceRoot, userPath);
    const stats = await stat(file).catch(() => null);
    if (!stats) throw new HttpError(404, 'NOT_FOUND', `No file ${userPath}`);
    if (!stats.isFile()) throw new HttpError(400, 'BAD_REQUEST', 'path is not a regular file', 'path');

    const range = parseByteRange(request.headers.range, stats.size);
    reply.header('accept-ranges', 'bytes');
    reply.header('last-modified', stats.mtime.toUTCString());
    reply.header('content-type', 'application/octet-stream');
    reply.header('content-disposition', `attachment; filename="${path.basename(file).replace(/["\\\r\n]/g, '_')}"`);
    if (range === 'unsatisfiable') {
      reply.header('content-range', `bytes */${stats.size}`);
      throw new HttpError(416, 'RANGE_NOT_SATISFIABLE', `Range not satisfiable for a file of ${stats.size} bytes`);
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? stats.size - 1;
    if (range) {
      reply.code(206);
      reply.header('content-range', `bytes ${start}-${end}/${stats.size}`);
    }
    reply.header('content-length', String(Math.max(0, end - start + 1)));
    const done = runtime.activity.begin('fileTransfers');
    const stream = stats.size === 0 ? createReadStream(file) : createReadStream(file, { start, end, highWaterMark: 256 * 1024 });
    stream.once('close', done);
    reply.raw.once('close', done);
    return reply.send(stream);
  });
}
