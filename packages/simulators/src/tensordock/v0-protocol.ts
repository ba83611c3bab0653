// How TensorDock's older v0 API talks: credentials travel as body fields (api_key + api_token, form
// encoded; some clients send them as a form body even on a GET), answers carry a `success` flag, and
// errors read {"success": false, "error": "<text>"}.
import type { SimRequest, SimResponse } from '../shared/http-server';

/** A field of a v0 body (form fields arrive as strings, a JSON body may carry numbers or arrays). */
export function v0Field(request: SimRequest, name: string): unknown {
  const body = request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  return (body as Record<string, unknown>)[name];
}

/**
 * The token of a v0 call: the `api_token` field of a form (or JSON) body. The `api_key` beside it names
 * the key; the simulator has a single token, so it reads only the secret half (our own validate sends
 * the token alone, and a bearer header is not how v0 authenticates).
 */
export function v0Token(request: SimRequest): string | null {
  const token = v0Field(request, 'api_token');
  return typeof token === 'string' && token !== '' ? token : null;
}

export function v0Error(status: number, message: string): SimResponse {
  return { status, body: { success: false, error: message } };
}
