/**
 * JSON with object keys sorted at every level, so equal values always serialise to equal bytes
 * (the design's determinism rule; pex also writes PEX-INFO with sort_keys=True).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** The same value with object keys sorted (UTF-16 code unit order, as Python sorts str keys in the BMP). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties: a "__proto__" key stays a key.
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
