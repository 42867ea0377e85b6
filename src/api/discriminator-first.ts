type SchemaNode = Record<string, unknown>;

/**
 * Makes every object schema check its `type` discriminator before anything else.
 *
 * The validator stops at the first failed keyword of each union branch (`allErrors: false`, so an over-long array
 * fails fast), and Ajv checks `required` before `properties`. Without this, `{type: 'browser'}` against the tool
 * union fails every branch on a missing field (`function`, `image_file`) and the error names that field; with the
 * discriminator checked first, each branch fails on `type` and the error lists the types that exist. The rewrite
 * (`{allOf: [{properties: {type}}, original]}`) accepts exactly what the original accepts. Mutates and returns the
 * (already copied) components.
 */
export function checkDiscriminatorFirst(components: { schemas: Record<string, unknown> }): {
  schemas: Record<string, unknown>;
} {
  for (const [name, schema] of Object.entries(components.schemas)) components.schemas[name] = rewrite(schema);
  return components;
}

function rewrite(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewrite);
  if (!node || typeof node !== 'object') return node;
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) out[key] = rewrite(value);
  const discriminator = (out.properties as SchemaNode | undefined)?.type as SchemaNode | undefined;
  if (!discriminator || typeof discriminator !== 'object') return out;
  if (!Array.isArray(discriminator.enum) && discriminator.const === undefined) return out;
  const { description, title, ...rest } = out;
  return {
    allOf: [{ properties: { type: discriminator } }, rest],
    ...(description === undefined ? {} : { description }),
    ...(title === undefined ? {} : { title }),
  };
}
