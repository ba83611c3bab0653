// GET /node/v1/ml/jobs/{jobId}/logs/follow: a job's log as Server-Sent Events (the tail, then live
// lines, then an "exit" event). Following is passive: it does not count as activity.
import type { FastifyInstance } from 'fastify';
import type { AgentRuntime } from '../runtime';

export function registerLogFollowRoute(app: FastifyInstance, runtime: AgentRuntime): void {
  app.get('/node/v1/ml/jobs/:jobId/logs/follow', async (request, reply) => {
    const { jobId } = request.params as { jobId: string };
    const tailLines = Math.min(Math.max(Number((request.query as { tailLines?: string }).tailLines ?? 100) || 0, 0), 5000);
    runtime.jobs.status(jobId); // 404 before any byte of the stream is sent
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    let unsubscribe = () => {};
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      unsubscribe();
      raw.end();
    };
    unsubscribe = runtime.jobs.follow(
      jobId,
      tailLines,
      (line) => raw.write(`event: line\ndata: ${JSON.stringify(line)}\n\n`),
      (status) => {
        raw.write(`event: exit\ndata: ${JSON.stringify(status)}\n\n`);
        setImmediate(end);
      },
    );
    raw.once('close', end);
  });
}
