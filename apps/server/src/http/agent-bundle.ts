// GET /node/agent.js: the agent bundle this server's nodes run. A node whose image does not carry the
// agent (the pinned upstream images do not) downloads it from here in its bootstrap
// (AGENT_BUNDLE_URL) and checks it against the SHA-256 it was given (AGENT_BUNDLE_SHA256), so a node
// always runs the agent of the server that rented it. Public: it is our code, no secret is in it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

export const AGENT_BUNDLE_ROUTE = '/node/agent.js';

export interface AgentBundle {
  bytes: Buffer;
  sha256: string;
}

/** The built bundle and its digest, or null where it is not built (tests from source, a dev checkout). */
export function readAgentBundle(path: string): AgentBundle | null {
  if (!existsSync(path)) return null;
  const bytes = readFileSync(path);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * readAgentBundle on first use, then the same answer: the bundle is some 4 MB to read and hash,
 * which a server start does not need (only the first provision or download does).
 */
export function agentBundleLoader(path: string): () => AgentBundle | null {
  let loaded: AgentBundle | null | undefined;
  return () => {
    if (loaded === undefined) loaded = readAgentBundle(path);
    return loaded;
  };
}

export function registerAgentBundle(app: FastifyInstance, load: () => AgentBundle | null): void {
  app.get(AGENT_BUNDLE_ROUTE, (request, reply) => {
    const bundle = load();
    // Not built: as if the route did not exist.
    if (bundle === null) return reply.callNotFound();
    const etag = `"${bundle.sha256}"`;
    reply.header('etag', etag).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('application/javascript; charset=utf-8').send(bundle.bytes);
  });
}
