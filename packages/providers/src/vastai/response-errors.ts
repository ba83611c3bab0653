// Reads Vast.ai error answers into typed errors. Vast says "no" in many ways: a 4xx with
// {error,msg}, {detail}, plain text, or HTTP 200 with success:false.
import { AuthFailedError, OfferGoneError, ProviderRejectedError, type ProviderError } from '../errors';
import { errorText, type ProviderHttp, type ProviderResponse } from '../http/provider-http';

export function vastErrorCode(response: Pick<ProviderResponse, 'json'>): string | null {
  const body = response.json;
  if (body === null || typeof body !== 'object') return null;
  const code = (body as Record<string, unknown>).error;
  return typeof code === 'string' ? code : null;
}

/** True for a 2xx whose body nevertheless says success:false. */
export function isVastSoftFailure(response: ProviderResponse): boolean {
  const body = response.json;
  return body !== null && typeof body === 'object' && (body as Record<string, unknown>).success === false;
}

export function isVastOk(response: ProviderResponse): boolean {
  return response.status >= 200 && response.status < 300 && !isVastSoftFailure(response);
}

/** The typed error for a Vast response that is not a success (429 and 5xx are handled by ProviderHttp). */
export function vastResponseError(http: ProviderHttp, response: ProviderResponse, operation: string): ProviderError {
  const code = vastErrorCode(response);
  const detail = http.redact(errorText(response));
  const message = `${operation}: HTTP ${response.status} ${detail}`;
  if (code === 'auth_error' || code === 'invalid_token' || response.status === 401) return new AuthFailedError('vastai', message);
  if (response.status === 403 && (code === null || /login|key|token|auth/i.test(detail))) return new AuthFailedError('vastai', message);
  if (code === 'no_such_ask' || /no_such_ask/.test(detail)) return new OfferGoneError('vastai', message);
  return new ProviderRejectedError('vastai', message, response.status);
}
