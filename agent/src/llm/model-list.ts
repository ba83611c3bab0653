// Judges an engine's GET /v1/models answer: a node is ready only when its engine serves the model
// the session asked for, not when some server answers on the port.

export interface ModelListVerdict {
  ready: boolean;
  /** The model ids the engine lists; null when the body is not an OpenAI model list. */
  servedModels: string[] | null;
  /** Why it is not ready (null when ready). */
  reason: string | null;
}

const MAX_LISTED = 10;

/** The `data[].id` of an OpenAI-style model list (`{"object":"list","data":[{"id":...}]}`), or null when `body` is not one. */
export function modelIdsOf(body: unknown): string[] | null {
  if (typeof body !== 'object' || body === null || !('data' in body) || !Array.isArray(body.data)) return null;
  const ids: string[] = [];
  for (const entry of body.data as unknown[]) {
    if (typeof entry !== 'object' || entry === null || !('id' in entry) || typeof entry.id !== 'string') return null;
    ids.push(entry.id);
  }
  return ids;
}

/**
 * A 200 answer's verdict. With a requested model, ready only if the list has it; without one,
 * any well-formed list will do (an external engine serving whatever it was started with).
 */
export function judgeModelList(body: unknown, requestedModel: string | null): ModelListVerdict {
  const servedModels = modelIdsOf(body);
  if (servedModels === null) return { ready: false, servedModels: null, reason: 'the engine answered /v1/models with something that is not a model list' };
  if (requestedModel === null || servedModels.includes(requestedModel)) return { ready: true, servedModels, reason: null };
  const listed = servedModels.length === 0 ? 'no model' : servedModels.slice(0, MAX_LISTED).join(', ') + (servedModels.length > MAX_LISTED ? ', …' : '');
  return { ready: false, servedModels, reason: `the engine serves ${listed}, not the requested model ${requestedModel}` };
}
