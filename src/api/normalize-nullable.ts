const ANNOTATIONS = new Set(['nullable', 'description', 'title', 'deprecated']);

/**
 * The spec mixes OpenAPI-3.0 `nullable: true` into an OAS-3.1 document (43 places, see
 * ENDPOINTS.md §6.3). A JSON-Schema validator ignores it or refuses to compile it, so rewrite every
 * form into `anyOf: [X, {type: 'null'}]`. Returns a deep copy.
 */
export function normalizeNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalizeNullable);
  if (!node || typeof node !== 'object') return node;
  const source = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'allOf' && Array.isArray(value)) Object.assign(out, normalizeAllOf(value));
    else out[key] = normalizeNullable(value);
  }
  if (out.nullable === true) {
    delete out.nullable;
    const { description, title: _title, deprecated: _deprecated, ...schema } = out;
    return { anyOf: [schema, { type: 'null' }], ...(description ? { description } : {}) };
  }
  if (out.nullable === false) delete out.nullable;
  return out;
}

/** `allOf: [X, {nullable: true, description}]` → `anyOf: [X, null]` (checked before the marker is rewritten). */
function normalizeAllOf(allOf: unknown[]): Record<string, unknown> {
  const isMarker = (schema: unknown) =>
    !!schema &&
    typeof schema === 'object' &&
    (schema as Record<string, unknown>).nullable === true &&
    Object.keys(schema).every((key) => ANNOTATIONS.has(key));
  const markerIndex = allOf.findIndex(isMarker);
  if (markerIndex < 0) return { allOf: allOf.map(normalizeNullable) };
  const rest = allOf.filter((_, index) => index !== markerIndex).map(normalizeNullable);
  const description = (allOf[markerIndex] as { description?: string }).description;
  return {
    anyOf: [rest.length === 1 ? rest[0] : { allOf: rest }, { type: 'null' }],
    ...(description ? { description } : {}),
  };
}
