// The agent's JSON body parser: Fastify's own (prototype-poisoning checks included) behind a depth
// check, because trpc-to-openapi and the LLM pass-through serialize bodies again, recursively: a body
// nested thousands deep would overflow the stack there and answer 500.
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors';

/** Room for OpenAI tool schemas; far below what overflows a recursive JSON.stringify. */
export const MAX_JSON_DEPTH = 64;

/** Whether a JSON text nests deeper than `maxDepth`, found without parsing (or recursing over) it. */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (char === 0x5d || char === 0x7d) depth--;
  }
  return false;
}

export function registerJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDepthExceeds(body as string, MAX_JSON_DEPTH)) return done(new HttpError(400, 'BAD_REQUEST', `The request body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    parseJson(request, body as string, done);
  });
}
