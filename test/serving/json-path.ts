/** A plain JSON value as tests read rendered objects. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The value at a dotted path of an object (array indices as numbers), e.g. `spec.http.0.route`. */
export function at(obj: unknown, path: string): Json {
  return path.split('.').reduce<unknown>((cur, k) => (cur as Record<string, unknown> | undefined)?.[k], obj) as Json;
}
