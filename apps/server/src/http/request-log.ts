// Request ids, each request's log context, and one access line per request: method, route (the
// template, not the URL), status, duration, request id, consumer and session. Never headers or bodies.
import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { runInLogContext, type LogContext } from '@gpu-shopper/services';
import type { Logger } from '../logger';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A caller's request id is kept when it is short and plain (it ends up in our log lines and headers). */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Probes are polled every few seconds: their lines are debug, not info. */
const PROBES = new Set(['/healthz', '/readyz']);

const MAX_LOGGED_PATH = 200;

/** For Fastify's `genReqId`: the caller's `X-Request-Id` if sane, else a fresh one. */
export function requestIdFor(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}

export interface RouteInfo {
  /** The route template, e.g. `/api/v1/sessions/{id}`. */
  route: string;
  /** The session the URL names, if it names one. */
  sessionId?: string;
}

/**
 * Registers first, so every later hook and the handler run in the request's log context. `routeOf`
 * names REST operations by their template (given the path as it arrived: the REST plugin rewrites
 * the request's URL); other routes go by Fastify's (tRPC by its procedure path).
 */
export function registerRequestLog(app: FastifyInstance, logger: Logger, routeOf: (request: FastifyRequest, path: string) => RouteInfo | undefined): void {
  const scopes = new WeakMap<FastifyRequest, { context: LogContext; resource: AsyncResource; path: string }>();

  app.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    const context: LogContext = { reqId: request.id };
    runInLogContext(context, () => {
      scopes.set(request, { context, resource: new AsyncResource('gpu-shopper:request'), path: pathOf(request.url) });
      done();
    });
  });

  // The body is read on the socket's callbacks, outside the request's context: step back into it.
  app.addHook('preValidation', (request, _reply, done) => {
    const scope = scopes.get(request);
    if (scope === undefined) return done();
    scope.resource.runInAsyncScope(done);
  });

  app.addHook('onResponse', (request, reply, done) => {
    const scope = scopes.get(request);
    const path = scope?.path ?? pathOf(request.url);
    const fields = accessFields(request, reply, scope?.context ?? { reqId: request.id }, path, routeOf(request, path));
    const probe = PROBES.has(path);
    if (probe) logger.debug?.('request', fields);
    else logger.info('request', fields);
    done();
  });
}

/** One access line's fields (never headers, bodies or keys). */
export type AccessLine = {
  reqId: string;
  method: string;
  route: string;
  status: number;
  durationMs: number;
  consumer?: string;
  sessionId?: string;
};

/** A duration as access lines give it: milliseconds to one decimal. */
export function accessDurationMs(elapsedMs: number): number {
  return Math.round(elapsedMs * 10) / 10;
}

function accessFields(request: FastifyRequest, reply: FastifyReply, context: LogContext, path: string, rest: RouteInfo | undefined): AccessLine {
  // tRPC's path is its procedure ("/trpc/sessions.get"); a URL no route matched is logged as its path.
  const route = rest?.route ?? (request.routeOptions.url?.startsWith('/trpc/') ? path : request.routeOptions.url) ?? path;
  const sessionId = context.sessionId ?? rest?.sessionId;
  return {
    reqId: context.reqId ?? request.id,
    method: request.method,
    route: route.length > MAX_LOGGED_PATH ? `${route.slice(0, MAX_LOGGED_PATH)}…` : route,
    status: reply.statusCode,
    durationMs: accessDurationMs(reply.elapsedTime),
    ...(context.consumer === undefined ? {} : { consumer: context.consumer }),
    ...(sessionId === undefined ? {} : { sessionId }),
  };
}

function pathOf(url: string): string {
  const end = url.indexOf('?');
  return end === -1 ? url : url.slice(0, end);
}
