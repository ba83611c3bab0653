// TensorDock answers the same question in several shapes (docs and clients disagree, so we serve every
// documented one): GET flat or {"data"}-wrapped, the two list envelopes, status casing, port numbers as
// numeric strings, IP addresses with stray whitespace. Each response takes the next turn of its own
// counter and reads each variant off a different bit, so with a single instance every variant (and
// every combination of them) comes round within eight calls of the same endpoint.

export interface ResponseVariant {
  wrapped: boolean;
  capitalizedStatus: boolean;
  portsAsStrings: boolean;
  paddedIp: boolean;
}

export class ResponseVariation {
  private turns = new Map<string, number>();

  /** The variant of the next response of `endpoint` ("get", "list"). */
  next(endpoint: string): ResponseVariant {
    const turn = this.turns.get(endpoint) ?? 0;
    this.turns.set(endpoint, turn + 1);
    return { wrapped: (turn & 1) === 1, capitalizedStatus: (turn & 2) === 2, portsAsStrings: (turn & 4) === 4, paddedIp: ((turn >> 1) & 1) !== ((turn >> 2) & 1) };
  }
}

/** One phase's status text in the casing a variant asks for (both seen: "StoppedDisassociated", "stopped_disassociated"). */
export function casedStatus(lower: string, capitalized: boolean): string {
  if (!capitalized) return lower;
  return lower
    .split('_')
    .map((word) => (word === '' ? word : `${word[0]!.toUpperCase()}${word.slice(1)}`))
    .join('');
}

/** Port forwards as TensorDock may send them: numbers, or numbers in strings. */
export function variedPortForwards(forwards: readonly { internal_port: number; external_port: number }[], asStrings: boolean): Record<string, unknown>[] {
  return forwards.map((forward) => (asStrings ? { internal_port: String(forward.internal_port), external_port: String(forward.external_port) } : { ...forward }));
}

export function variedIp(ip: string, padded: boolean): string {
  return padded ? ` ${ip}\n` : ip;
}
