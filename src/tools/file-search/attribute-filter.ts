type AttributeValue = string | number | boolean;

// Declared here because the generated types lose these enums (openapi-typescript replaces a
// discriminated `type` with the schema name).
export interface ComparisonFilter {
  type: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'nin';
  key: string;
  value: string | number | boolean | Array<string | number>;
}

export interface CompoundFilter {
  type: 'and' | 'or';
  filters: AttributeFilter[];
}

export type AttributeFilter = ComparisonFilter | CompoundFilter;

/**
 * Whether a file's attributes pass a search filter (`eq`, `ne`, `gt`, `gte`, `lt`, `lte`, `in`, `nin`,
 * combined with `and`/`or` to any depth). A comparison on a missing attribute fails, except `ne`/`nin`.
 */
export function matchesFilter(
  attributes: Record<string, AttributeValue> | null | undefined,
  filter: AttributeFilter,
): boolean {
  if (filter.type === 'and' || filter.type === 'or') {
    const { filters } = filter;
    return filter.type === 'and'
      ? filters.every((inner) => matchesFilter(attributes, inner))
      : filters.some((inner) => matchesFilter(attributes, inner));
  }
  const comparison = filter as ComparisonFilter;
  const actual = attributes?.[comparison.key];
  const expected = comparison.value as AttributeValue | AttributeValue[];
  switch (comparison.type) {
    case 'eq':
      return actual !== undefined && actual === expected;
    case 'ne':
      return actual !== expected;
    case 'gt':
      return comparable(actual, expected) && (actual as number | string) > (expected as number | string);
    case 'gte':
      return comparable(actual, expected) && (actual as number | string) >= (expected as number | string);
    case 'lt':
      return comparable(actual, expected) && (actual as number | string) < (expected as number | string);
    case 'lte':
      return comparable(actual, expected) && (actual as number | string) <= (expected as number | string);
    case 'in':
      return actual !== undefined && Array.isArray(expected) && expected.includes(actual);
    case 'nin':
      return !Array.isArray(expected) || actual === undefined || !expected.includes(actual);
    default:
      return false;
  }
}

/** Ordering only makes sense between two numbers or two strings. */
function comparable(actual: unknown, expected: unknown): boolean {
  return (
    (typeof actual === 'number' && typeof expected === 'number') ||
    (typeof actual === 'string' && typeof expected === 'string')
  );
}
