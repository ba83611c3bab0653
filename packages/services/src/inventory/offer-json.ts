// Each offer as the API writes it, validated and serialized once per offer rather than once per
// request: a search then joins JSON it already has. An offer object never changes once fetched (a
// stale or withdrawn one is a new object or none), so its text is keyed by the object itself.
import { OfferSchema, type Offer } from '@gpu-shopper/domain';

const texts = new WeakMap<Offer, Buffer>();
const MENU_OPEN = Buffer.from('{"offers":[');
const COMMA = Buffer.from(',');
const COMMA_BYTE = COMMA[0]!;

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

/** Where an offer's JSON lies in its list's layout: bytes [start, end) of `slab`. */
export interface JsonView {
  slab: Buffer;
  start: number;
  end: number;
}

/** Each offer's JSON in one layout (see layOutJson). */
export type JsonViews = ReadonlyMap<Offer, JsonView>;

/**
 * The lists' offers' JSON laid out in each list's order, commas between, in one buffer per list:
 * offers a selection takes one after another from a list are then one stretch of bytes, sent as
 * one. An offer the API could not describe is left out (offerJson throws when a selection takes it).
 */
export function layOutJson(lists: Iterable<readonly Offer[]>): JsonViews {
  const views = new Map<Offer, JsonView>();
  for (const list of lists) {
    const texts: [Offer, Buffer][] = [];
    let length = 0;
    for (const offer of list) {
      let text: Buffer;
      try {
        text = offerJson(offer);
      } catch {
        continue;
      }
      texts.push([offer, text]);
      length += text.length + 1;
    }
    if (texts.length === 0) continue;
    const slab = Buffer.allocUnsafe(length - 1);
    let at = 0;
    for (const [offer, text] of texts) {
      if (at > 0) slab[at++] = COMMA_BYTE;
      text.copy(slab, at);
      views.set(offer, { slab, start: at, end: at + text.length });
      at += text.length;
    }
  }
  return views;
}

/** The text after the offers, `],"providers":[...]}`: made once per providers' statuses. */
export function menuTail(providersJson: Buffer | string): Buffer {
  return Buffer.from(`],"providers":${providersJson.toString()}}`);
}

/** A menu's JSON as the pieces it is sent in, and their total length. */
export interface MenuJson {
  parts: Buffer[];
  length: number;
}

/**
 * The menu, `{"offers":[...],"providers":...}`, as pieces of bytes already made: each offer's kept
 * JSON, and offers adjacent in `views` (with the comma between them) as one piece. Nothing is
 * copied: `joinJson` copies, where one buffer is needed.
 */
export function menuJson(offers: readonly Offer[], tail: Buffer, views?: JsonViews): MenuJson {
  const parts: Buffer[] = [MENU_OPEN];
  let length = MENU_OPEN.length + tail.length;
  // The stretch being gathered: [start, end) of `slab`.
  let slab: Buffer | null = null;
  let start = 0;
  let end = 0;
  for (let index = 0; index < offers.length; index += 1) {
    const offer = offers[index]!;
    const view = views?.get(offer);
    // Within a slab, the byte after a view is the comma before the next one.
    if (view !== undefined && view.slab === slab && view.start === end + 1) {
      end = view.end;
      continue;
    }
    if (slab !== null) {
      parts.push(slab.subarray(start, end));
      length += end - start;
      slab = null;
    }
    if (index > 0) {
      parts.push(COMMA);
      length += COMMA.length;
    }
    if (view !== undefined) {
      ({ slab, start, end } = view);
    } else {
      const text = offerJson(offer);
      parts.push(text);
      length += text.length;
    }
  }
  if (slab !== null) {
    parts.push(slab.subarray(start, end));
    length += end - start;
  }
  parts.push(tail);
  return { parts, length };
}

/** The menu's JSON in one buffer. */
export function joinJson(json: MenuJson): Buffer {
  return Buffer.concat(json.parts, json.length);
}
