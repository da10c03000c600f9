import type { z } from 'zod';

type AnySchema = z.ZodType & { _zod: { def: Record<string, any> } };

const WRAPPERS = new Set(['default', 'optional', 'nullable', 'prefault', 'catch', 'readonly', 'nonoptional']);

function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const def = s._zod.def;
    if (WRAPPERS.has(def.type)) s = def.innerType;
    else if (def.type === 'pipe') s = def.in;
    else if (def.type === 'lazy') s = def.getter();
    else return s;
  }
}

function options(schema: AnySchema): AnySchema[] {
  const s = unwrap(schema);
  return s._zod.def.type === 'union' ? (s._zod.def.options as AnySchema[]).flatMap(options) : [s];
}

/**
 * The keys a strict object accepts at `path` inside `schema`, so an unknown
 * key can be answered with "did you mean". Unions contribute all their
 * branches' keys.
 */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: AnySchema[] = options(schema as AnySchema);
  for (const seg of path) {
    const next: AnySchema[] = [];
    for (const s of current) {
      const def = s._zod.def;
      if (def.type === 'object' && typeof seg === 'string' && def.shape[seg]) next.push(...options(def.shape[seg]));
      else if (def.type === 'array') next.push(...options(def.element));
      else if (def.type === 'record') next.push(...options(def.valueType));
    }
    current = next;
  }
  return [...new Set(current.flatMap((s) => (s._zod.def.type === 'object' ? Object.keys(s._zod.def.shape) : [])))];
}
