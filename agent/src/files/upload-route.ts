// POST /node/v1/files/upload?path=: streams the request body to a file in the workspace, never
// holding it in memory; written to a temporary name and renamed, so a cut upload leaves no half file.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors';
import type { AgentRuntime } from '../runtime';
import { resolveWorkspacePath } from './workspace-path';

const tooLarge = (limitBytes: number) => new HttpError(413, 'PAYLOAD_TOO_LARGE', `Upload exceeds the limit of ${limitBytes} bytes`);

/** Counts bytes as they pass and fails the stream as soon as the limit is crossed. */
function byteLimiter(limitBytes: number, counter: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counter.bytes += chunk.length;
      if (counter.bytes > limitBytes) callback(tooLarge(limitBytes));
      else callback(null, chunk);
    },
  });
}

export function registerUploadRoute(app: FastifyInstance, runtime: AgentRuntime): void {
  // Own scope: the body must reach the handler as an unread stream, whatever its content type.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.post('/node/v1/files/upload', async (request, reply) => {
      const query = request.query as { path?: unknown };
      if (typeof query.path !== 'string' || query.path.trim() === '') throw new HttpError(400, 'BAD_REQUEST', 'path is required', 'path');
      const limitBytes = runtime.config.maxUploadBytes;
      const declaredBytes = Number(request.headers['content-length'] ?? NaN);
      if (Number.isFinite(declaredBytes) && declaredBytes > limitBytes) {
        reply.header('connection', 'close');
        throw tooLarge(limitBytes);
      }
      const target = await resolveWorkspacePath(runtime.config.workspaceRoot, query.path);
      const existing = await stat(target).catch(() => null);
      if (existing?.isDirectory()) throw new HttpError(409, 'CONFLICT', 'path is a directory', 'path');
      await mkdir(path.dirname(target), { recursive: true });
      const temporary = `${target}.upload-${randomBytes(6).toString('hex')}`;
      const counter = { bytes: 0 };
      const done = runtime.activity.begin('fileTransfers');
      try {
        await pipeline(request.raw, byteLimiter(limitBytes, counter), createWriteStream(temporary, { flags: 'wx' }));
        await rename(temporary, target);
      } catch (error) {
        await unlink(temporary).catch(() => {});
        if (error instanceof HttpError) reply.header('connection', 'close');
        throw error;
      } finally {
        done();
      }
      const relative = path.relative(await resolveWorkspacePath(runtime.config.workspaceRoot, ''), target).split(path.sep).join('/');
      return reply.code(201).send({ path: relative, sizeBytes: counter.bytes });
    });
  });
}
