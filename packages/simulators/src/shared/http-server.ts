// A tiny router over node:http: the simulators need exact control of status, headers and raw bodies
// (Vast's exact "application/json", plain-text 429s, hung responses), and nothing else.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body, or undefined when there is none. */
  body: unknown;
  rawBody: string;
  params: Record<string, string>;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  /** Sent as-is with text/plain when set (real APIs answer some errors in plain text). */
  text?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (latency faults). */
  delayMs?: number;
  /** Never answer: the client must time out. The socket is closed when the server closes. */
  hang?: boolean;
}

export type Handler = (request: SimRequest) => SimResponse | Promise<SimResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  /** `path` like "/api/v0/instances/:id"; a trailing slash is optional when matching. */
  on(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const source = path
      .replace(/\/+$/, '')
      .split('/')
      .map((part) => {
        if (part.startsWith(':')) {
          keys.push(part.slice(1));
          return '([^/]+)';
        }
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), keys, handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | null {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(path);
      if (!match) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, index) => {
        params[key] = decodeURIComponent(match[index + 1] ?? '');
      });
      return { handler: route.handler, params };
    }
    return null;
  }
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export interface HttpServerOptions {
  port?: number;
  host?: string;
  notFound?: SimResponse;
  /** When `port` is taken, listen on any free one instead of failing (a restart reusing its old port). */
  anyPortIfTaken?: boolean;
}

export async function startHttpServer(router: Router, options: HttpServerOptions = {}): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const pendingTimers = new Set<ReturnType<typeof setTimeout>>();
  const server = createServer((req, res) => {
    void handle(router, req, res, pendingTimers, options.notFound);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(options.port ?? 0).catch((error: NodeJS.ErrnoException) => {
    if (!options.anyPortIfTaken || error.code !== 'EADDRINUSE') throw error;
    return listen(0);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    server,
    close: async () => {
      for (const timer of pendingTimers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(
  router: Router,
  req: IncomingMessage,
  res: ServerResponse,
  timers: Set<ReturnType<typeof setTimeout>>,
  notFound: SimResponse | undefined,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim');
  const rawBody = await readBody(req);
  const matched = router.match(req.method ?? 'GET', url.pathname);
  let response: SimResponse;
  if (!matched) {
    response = notFound ?? { status: 404, body: { success: false, error: 'not_found', msg: `no route ${req.method} ${url.pathname}` } };
  } else {
    let body: unknown;
    try {
      // Form posts (TensorDock v0) arrive as fields; everything else is JSON.
      const form = /application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '');
      body = rawBody.trim() === '' ? undefined : form ? Object.fromEntries(new URLSearchParams(rawBody)) : JSON.parse(rawBody);
    } catch {
      response = { status: 400, body: { error: 'invalid_request', msg: 'Invalid json body' } };
      write(res, response);
      return;
    }
    try {
      response = await matched.handler({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, rawBody, params: matched.params });
    } catch (error) {
      response = { status: 500, body: { success: false, error: 'server_error', msg: error instanceof Error ? error.message : String(error) } };
    }
  }
  if (response.hang) return;
  if (response.delayMs !== undefined && response.delayMs > 0) {
    const timer = setTimeout(() => {
      timers.delete(timer);
      write(res, response);
    }, response.delayMs);
    timers.add(timer);
    return;
  }
  write(res, response);
}

function write(res: ServerResponse, response: SimResponse): void {
  if (res.destroyed) return;
  if (response.text !== undefined) {
    res.writeHead(response.status, { 'Content-Type': 'text/plain', ...response.headers });
    res.end(response.text);
    return;
  }
  const payload = response.body === undefined ? '' : JSON.stringify(response.body);
  // Exactly "application/json": the Vast CLI rejects anything else, charset included.
  res.writeHead(response.status, { 'Content-Type': 'application/json', ...response.headers });
  res.end(payload);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function bearerToken(headers: IncomingMessage['headers']): string | null {
  const header = headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match ? (match[1] ?? null) : null;
}
