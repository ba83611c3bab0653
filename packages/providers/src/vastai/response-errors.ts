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

/** Vast's create 403 for an offer of another host, asked for by a hosting account ("error 403/3586: Offer N is not your own."). */
const NOT_YOUR_OWN = /is not your own|403\/3586/i;

/** The typed error for a Vast response that is not a success (429 and 5xx are handled by ProviderHttp). */
export function vastResponseError(http: ProviderHttp, response: ProviderResponse, operation: string): ProviderError {
  const code = vastErrorCode(response);
  const detail = http.redact(errorText(response));
  const message = `${operation}: HTTP ${response.status} ${detail}`;
  // A hosting account's key may rent only that host's machines: this offer can never be rented with this
  // key, so it is out for this session (as a gone offer is) and retrying it will not help. Checked before
  // the auth rule below, which reads other 403s as a refused login.
  if (response.status === 403 && NOT_YOUR_OWN.test(detail)) {
    return new OfferGoneError('vastai', `${operation}: Vast will not rent this offer to this account: HTTP 403 ${detail} (a hosting account's key can rent only that host's own machines; use a renting account's key)`);
  }
  if (code === 'auth_error' || code === 'invalid_token' || response.status === 401) return new AuthFailedError('vastai', message);
  if (response.status === 403 && (code === null || /login|key|token|auth/i.test(detail))) return new AuthFailedError('vastai', message);
  if (code === 'no_such_ask' || /no_such_ask/.test(detail)) return new OfferGoneError('vastai', message);
  return new ProviderRejectedError('vastai', message, response.status);
}
