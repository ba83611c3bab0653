// GET /console: the operator console (apps/console), a single-page app served from its build
// (apps/console/dist, made by `npm run build -w @gpu-shopper/console`; `npm start` builds it). Hashed
// assets are cached for good, the page itself never without revalidation, and any path under
// /console that is not a file is the app's own route (the SPA fallback to index.html).
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const CONSOLE_PATH = '/console';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

// Everything the page loads comes from this server: no CDN, no inline script or style, nothing framed.
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** apps/console/dist beside this server's package, from its sources (src/http) or its bundle (dist/). */
export function defaultConsoleDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, '..', 'console', 'dist');
}

export interface ConsoleOptions {
  /** The console's build (default: defaultConsoleDir()). Read on each request, so a rebuild shows at once. */
  dir?: string;
}

export function registerConsole(app: FastifyInstance, options: ConsoleOptions = {}): void {
  const root = resolve(options.dir ?? defaultConsoleDir());
  const serve = async (path: string, reply: FastifyReply) => {
    const file = fileUnder(root, path);
    if (file === null) return notFound(reply, path);
    // A path with an extension names a file: missing, it is a 404, never the page in its place.
    if (extname(file) !== '') {
      const body = await readFileOrNull(file);
      if (body === null) return notFound(reply, path);
      // Vite names what it emits under assets/ by content hash: a changed file gets a new name.
      const cache = path.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600';
      return reply.type(CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream').header('cache-control', cache).header('x-content-type-options', 'nosniff').send(body);
    }
    const page = await readFileOrNull(join(root, 'index.html'));
    if (page === null) return reply.code(503).type(CONTENT_TYPES['.html']!).header('cache-control', 'no-store').headers(PAGE_HEADERS).send(NOT_BUILT_PAGE);
    return reply.type(CONTENT_TYPES['.html']!).header('cache-control', 'no-cache').headers(PAGE_HEADERS).send(page);
  };
  app.get(CONSOLE_PATH, (_request, reply) => serve('', reply));
  app.get<{ Params: { '*': string } }>(`${CONSOLE_PATH}/*`, (request, reply) => serve(request.params['*'], reply));
}

function notFound(reply: FastifyReply, path: string): FastifyReply {
  return reply.code(404).type(CONTENT_TYPES['.txt']!).header('cache-control', 'no-store').send(`not found: ${CONSOLE_PATH}/${path}`);
}

/** The file `path` names inside `root`, or null when it would step outside it (or is not a plain path). */
function fileUnder(root: string, path: string): string | null {
  if (path.includes('\0') || path.includes('\\')) return null;
  const file = resolve(root, path);
  return file === root || file.startsWith(root + sep) ? file : null;
}

async function readFileOrNull(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return null;
    throw error;
  }
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Console not built</title></head>
<body>
  <h1>The console is not built</h1>
  <p>This server serves the operator console from <code>apps/console/dist</code>, which is missing.
  Build it with <code>npm run build -w @gpu-shopper/console</code> (<code>npm start</code> does this), then reload.</p>
  <p>The API itself is up: <a href="/docs">/docs</a>.</p>
</body>
</html>
`;
