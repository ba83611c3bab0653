// The context the providers' offer parsers (Vast's and TensorDock's) read in their record loops.
// Internal: not exported from the package.
import type { OfferParseContext } from './vastai/offer-parser';

/**
 * Our own copy of the caller's context, read once per response, with `now` formatted once. A parser's
 * record loop reads only this copy: callers pass a fresh object literal per call, and the hidden class
 * of a one-off literal can be freed by a full collection; optimized code that had read it is then
 * thrown away and recompiled (tens of ms of CPU, measured) during the next call.
 */
export function responseContext(context: OfferParseContext): OfferParseContext {
  return { diskGb: context.diskGb, now: context.now, fetchedAtIso: context.now.toISOString() };
}
