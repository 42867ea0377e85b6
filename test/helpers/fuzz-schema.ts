import type { OpenApiDocument } from '../../src/api/contract.js';

/** A schema node of the raw contract (OAS 3.1 with the spec's `nullable` left in place). */
export type Schema = Record<string, any>;

/** Values chosen by property name, so example bodies point at objects that exist. */
export type Overrides = Record<string, unknown>;

const MAX_DEPTH = 5;

/** Builds example request bodies from the contract's own schemas. */
export class ExampleBuilder {
  constructor(
    private readonly document: OpenApiDocument,
    private readonly overrides: Overrides,
  ) {}

  resolve(schema: Schema | undefined): Schema {
    let node = schema ?? {};
    for (let hops = 0; typeof node.$ref === 'string' && hops < 10; hops++) {
      node = this.document.components.schemas[String(node.$ref).split('/').at(-1)!] as Schema;
    }
    return node;
  }

  /** The branches of a union (or the schema itself), `null` branches left out. */
  branches(schema: Schema | undefined): Schema[] {
    const node = this.resolve(schema);
    const union = (node.anyOf ?? node.oneOf) as Schema[] | undefined;
    if (!union) return [node];
    return union.map((branch) => this.resolve(branch)).filter((branch) => branch.type !== 'null');
  }

  /** `required` only (`rich: false`) or every property (`rich: true`), first union branch, `MAX_DEPTH` deep. */
  example(schema: Schema | undefined, rich: boolean, depth = 0, name?: string): unknown {
    if (name !== undefined && name in this.overrides) return structuredClone(this.overrides[name]);
    const node = this.resolve(schema);
    if (node.const !== undefined) return node.const;
    if (Array.isArray(node.enum)) return node.enum.find((value: unknown) => value !== null);
    if (Array.isArray(node.allOf)) return this.#allOf(node.allOf, rich, depth);
    if (node.anyOf || node.oneOf) return this.example(this.branches(node)[0], rich, depth, name);
    const type = Array.isArray(node.type) ? node.type.find((each: string) => each !== 'null') : node.type;
    if (type === 'object' || node.properties) return this.#object(node, rich, depth);
    if (type === 'array') return this.#array(node, rich, depth);
    if (type === 'string') return node.format === 'uri' ? 'http://127.0.0.1:9/image.png' : 'x';
    if (type === 'integer' || type === 'number')
      return node.minimum ?? (node.maximum === undefined ? 1 : Math.min(1, node.maximum));
    if (type === 'boolean') return false;
    return {};
  }

  /**
   * Rich examples of a property for each shape it may take: each branch of its union, and for an array each
   * branch of its items' union (`tools`: a code_interpreter, a file_search and a function tool).
   */
  richVariants(schema: Schema | undefined, name: string): unknown[] {
    if (name in this.overrides) return [this.example(schema, true, 1, name)];
    return this.branches(schema).flatMap((branch) => {
      const items = branch.type === 'array' ? this.branches(branch.items) : [];
      if (items.length < 2) return [this.example(branch, true, 1, name)];
      return items.map((item) => [this.example(item, true, 2)]);
    });
  }

  /** The object schemas a body may take (a union at the top is several shapes). */
  bodyProperties(schema: Schema | undefined): Map<string, Schema> {
    const properties = new Map<string, Schema>();
    for (const branch of this.branches(schema)) {
      const parts = Array.isArray(branch.allOf) ? branch.allOf.map((part: Schema) => this.resolve(part)) : [branch];
      for (const part of parts) {
        for (const [key, value] of Object.entries((part.properties ?? {}) as Record<string, Schema>)) {
          if (!properties.has(key)) properties.set(key, value);
        }
      }
    }
    return properties;
  }

  #object(node: Schema, rich: boolean, depth: number): Record<string, unknown> {
    const properties = (node.properties ?? {}) as Record<string, Schema>;
    const required = new Set<string>((node.required ?? []) as string[]);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(properties)) {
      if (required.has(key) || (rich && depth < MAX_DEPTH)) out[key] = this.example(value, rich, depth + 1, key);
    }
    const extra = node.additionalProperties;
    if (rich && Object.keys(properties).length === 0 && extra && typeof extra === 'object')
      out.k = this.example(extra, rich, depth + 1);
    return out;
  }

  #array(node: Schema, rich: boolean, depth: number): unknown[] {
    const wanted = (node.minItems ?? 0) > 0 || (rich && depth < MAX_DEPTH);
    return wanted ? [this.example(node.items, rich, depth + 1)] : [];
  }

  #allOf(parts: Schema[], rich: boolean, depth: number): unknown {
    const merged: Record<string, unknown> = {};
    for (const part of parts) {
      const value = this.example(part, rich, depth);
      if (value && typeof value === 'object' && !Array.isArray(value)) Object.assign(merged, value);
      else return value;
    }
    return merged;
  }
}

/** A step into a JSON value: an object key or an array index. */
export type PathStep = string | number;

/** Every position inside `value` (objects' keys, arrays' items), at most `MAX_DEPTH` steps deep. */
export function valuePaths(value: unknown, prefix: PathStep[] = []): PathStep[][] {
  if (prefix.length >= MAX_DEPTH || !value || typeof value !== 'object') return [];
  const entries: Array<[PathStep, unknown]> = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  return entries.flatMap(([step, child]) => [[...prefix, step], ...valuePaths(child, [...prefix, step])]);
}

export function valueAt(root: unknown, path: readonly PathStep[]): unknown {
  let node = root;
  for (const step of path) node = (node as Record<PathStep, unknown> | undefined)?.[step];
  return node;
}

/** A copy of `root` with the value at `path` replaced, or removed when `value` is `REMOVE`. */
export function withValueAt(root: unknown, path: readonly PathStep[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<PathStep, unknown>;
  let node = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<PathStep, unknown>;
  const last = path.at(-1)!;
  if (value === REMOVE) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else {
    node[last] = value;
  }
  return copy;
}

export const REMOVE = Symbol('remove');

/** `tools[0].function.name`, as error params are spelled. */
export function pathName(path: readonly PathStep[]): string {
  return path.map((step, index) => (typeof step === 'number' ? `[${step}]` : index === 0 ? step : `.${step}`)).join('');
}
