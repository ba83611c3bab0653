// Compares the shape of two JSON values (field names and types, recursively) so a recorded fixture and
// the simulator's live answer to the same request cannot drift apart unnoticed.

export interface ShapeOptions {
  /** Paths (dot-joined, `[]` for array items) whose value is a map with free keys: only values are compared. */
  maps?: readonly string[];
  /** Paths the simulator may add beyond the fixture (documented elsewhere, e.g. fields the fixture predates). */
  extraAllowed?: readonly string[];
  /** Paths whose shape is known to differ (each with a reason in the test). */
  ignore?: readonly string[];
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Every difference in field names or types; null on either side matches any type (an unset value). */
export function shapeDifferences(fixture: unknown, live: unknown, options: ShapeOptions = {}, path = ''): string[] {
  if (options.ignore?.includes(path)) return [];
  const [want, got] = [kind(fixture), kind(live)];
  if (want === 'null' || got === 'null') return [];
  if (want !== got) return [`${path || '(root)'}: fixture ${want}, simulator ${got}`];
  if (want === 'array') {
    const [first, second] = [(fixture as unknown[])[0], (live as unknown[])[0]];
    return first === undefined || second === undefined ? [] : shapeDifferences(first, second, options, `${path}[]`);
  }
  if (want !== 'object') return [];
  const [a, b] = [fixture as Record<string, unknown>, live as Record<string, unknown>];
  if (options.maps?.includes(path)) {
    const [first, second] = [Object.values(a)[0], Object.values(b)[0]];
    return first === undefined || second === undefined ? [] : shapeDifferences(first, second, options, `${path}{}`);
  }
  const problems: string[] = [];
  const join = (key: string) => (path === '' ? key : `${path}.${key}`);
  for (const key of Object.keys(a)) {
    if (!(key in b)) {
      if (!options.ignore?.includes(join(key))) problems.push(`${join(key)}: missing in the simulator`);
      continue;
    }
    problems.push(...shapeDifferences(a[key], b[key], options, join(key)));
  }
  for (const key of Object.keys(b)) {
    if (!(key in a) && !options.extraAllowed?.includes(join(key)) && !options.ignore?.includes(join(key))) problems.push(`${join(key)}: not in the fixture`);
  }
  return problems;
}
