// A pure function's answers remembered per argument, for arguments drawn from a small set (a
// catalog's few dozen GPU or country names): once `max` are held, all are forgotten and it starts over.
export function rememberPerKey<Key, Value>(compute: (key: Key) => Value, max: number): (key: Key) => Value {
  const remembered = new Map<Key, Value>();
  return (key) => {
    let value = remembered.get(key);
    if (value === undefined && !remembered.has(key)) {
      if (remembered.size >= max) remembered.clear();
      value = compute(key);
      remembered.set(key, value);
    }
    return value as Value;
  };
}
