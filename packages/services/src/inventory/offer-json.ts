// Each offer as the API writes it, validated and serialized once per offer rather than once per
// request: a search then joins JSON it already has. An offer object never changes once fetched (a
// stale or withdrawn one is a new object or none), so its text is keyed by the object itself.
import { OfferSchema, type Offer } from '@gpu-shopper/domain';

const texts = new WeakMap<Offer, string>();

/**
 * The offer's JSON exactly as the API's output validation would write it: checked against
 * OfferSchema and in its field order (a provider's parser may build fields in another order).
 * Throws the schema's error for an offer the API could not describe.
 */
export function offerJson(offer: Offer): string {
  let text = texts.get(offer);
  if (text === undefined) {
    text = JSON.stringify(OfferSchema.parse(offer));
    texts.set(offer, text);
  }
  return text;
}

/** A list of offers as a JSON array, from each offer's kept text. */
export function offersJson(offers: readonly Offer[]): string {
  let text = '[';
  for (let index = 0; index < offers.length; index += 1) text += (index === 0 ? '' : ',') + offerJson(offers[index]!);
  return `${text}]`;
}
