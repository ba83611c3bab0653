// Each offer as the API writes it, validated and serialized once per offer rather than once per
// request: a search then joins JSON it already has. An offer object never changes once fetched (a
// stale or withdrawn one is a new object or none), so its text is keyed by the object itself.
import { OfferSchema, type Offer } from '@gpu-shopper/domain';

const texts = new WeakMap<Offer, Buffer>();
const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/**
 * The offer's JSON exactly as the API's output validation would write it: checked against
 * OfferSchema and in its field order (a provider's parser may build fields in another order).
 * Kept as UTF-8 bytes: a response is then copied together, never encoded again. Throws the
 * schema's error for an offer the API could not describe.
 */
export function offerJson(offer: Offer): Buffer {
  let text = texts.get(offer);
  if (text === undefined) {
    text = Buffer.from(JSON.stringify(OfferSchema.parse(offer)));
    texts.set(offer, text);
  }
  return text;
}

/** A list of offers as a JSON array, from each offer's kept bytes. */
export function menuJson(offers: readonly Offer[]): Buffer {
  const parts: Buffer[] = [OPEN];
  for (let index = 0; index < offers.length; index += 1) {
    if (index > 0) parts.push(COMMA);
    parts.push(offerJson(offers[index]!));
  }
  parts.push(CLOSE);
  return Buffer.concat(parts);
}
