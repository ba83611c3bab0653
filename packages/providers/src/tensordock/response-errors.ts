// Reads TensorDock v2 error answers: non-2xx with JSON or text, and error objects inside a 2xx body
// ({"error":"Hostnode unavailable","status":400}).
import { AuthFailedError, OfferGoneError, ProviderContractError, ProviderRejectedError, type ProviderError } from '../errors';
import { errorText, type ProviderHttp, type ProviderResponse } from '../http/provider-http';

/** The error a 2xx body carries, if any. */
export function bodyError(response: ProviderResponse): { message: string; status: number | null } | null {
  const body = response.json;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const record = body as Record<string, unknown>;
  if (typeof record.error !== 'string' && !(typeof record.error === 'object' && record.error !== null)) return null;
  const message = typeof record.error === 'string' ? record.error : JSON.stringify(record.error);
  const detail = typeof record.message === 'string' ? `: ${record.message}` : '';
  return { message: `${message}${detail}`, status: typeof record.status === 'number' ? record.status : null };
}

export function isTdOk(response: ProviderResponse): boolean {
  return response.status >= 200 && response.status < 300 && response.json !== undefined && bodyError(response) === null;
}

const CAPACITY_GONE = /hostnode unavailable|not enough|insufficient|no longer available|out of stock|unavailable/i;

export function tdResponseError(http: ProviderHttp, response: ProviderResponse, operation: string): ProviderError {
  const inBody = bodyError(response);
  const status = inBody?.status ?? response.status;
  const detail = http.redact(inBody?.message ?? errorText(response));
  const message = `${operation}: HTTP ${response.status}${inBody ? ` (body status ${status})` : ''} ${detail}`;
  if (response.status >= 200 && response.status < 300 && !inBody) {
    // A 2xx that is not JSON (an HTML page) is not an answer we understand.
    return new ProviderContractError('tensordock', `${operation}: 2xx answer is not JSON`);
  }
  if (status === 401 || status === 403) return new AuthFailedError('tensordock', message);
  if (CAPACITY_GONE.test(detail)) return new OfferGoneError('tensordock', message);
  return new ProviderRejectedError('tensordock', message, status);
}
