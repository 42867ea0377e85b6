import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

const SRC = path.resolve(import.meta.dirname, '../src');

/**
 * Which top-level parts of src/ each part may import. Data flows http → services → runs/tools →
 * store/providers; api/ (the contract), errors.ts, ids.ts and logger.ts sit beneath everything. Only the
 * wiring at the top (server.ts, cli.ts, config.ts) may reach anywhere.
 */
const FOUNDATION = ['api', 'errors', 'ids', 'logger'];
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  http: ['services', 'responses', 'files', ...FOUNDATION],
  services: ['runs', 'responses', 'tools', 'store', 'providers', 'files', ...FOUNDATION],
  runs: ['responses', 'tools', 'store', 'providers', 'files', 'queue', ...FOUNDATION],
  // How runs are presented as Responses API objects, items and stream events, and how its input becomes thread rows.
  responses: ['tools', 'store', 'files', ...FOUNDATION],
  tools: ['store', 'providers', 'files', 'queue', ...FOUNDATION],
  store: [...FOUNDATION],
  providers: [...FOUNDATION],
  files: [...FOUNDATION],
  queue: [...FOUNDATION],
  // Prometheus gauges read the store at scrape time; http/ records into the registry through its own
  // HttpMetrics interface, so nothing imports metrics/ but the wiring.
  metrics: ['store', ...FOUNDATION],
  api: ['errors', 'ids'],
  errors: [],
  ids: [],
  logger: [],
};
const WIRING = new Set(['server', 'cli', 'config', 'workers']);

interface Import {
  from: string;
  to: string;
  file: string;
  specifier: string;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** `http/routes/runs.ts` → `http`; `errors.ts` → `errors`. */
function partOf(file: string): string {
  const [first] = path.relative(SRC, file).split(path.sep);
  return first!.replace(/\.(ts|js)$/, '');
}

/** Relative imports (static, re-exports and dynamic) between different parts of src/. */
function crossPartImports(): Import[] {
  const pattern = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)'(\.{1,2}\/[^']+)'/g;
  return sourceFiles(SRC).flatMap((file) => {
    const imports: Import[] = [];
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) {
      const specifier = match[1]!;
      const target = path.resolve(path.dirname(file), specifier);
      const from = partOf(file);
      const to = partOf(target);
      if (from !== to) imports.push({ from, to, file: path.relative(SRC, file), specifier });
    }
    return imports;
  });
}

describe('layers', () => {
  const imports = crossPartImports();

  test('every import between parts of src/ follows the flow http → services → runs/tools → store/providers', () => {
    const against = imports
      .filter(({ from, to }) => !WIRING.has(from) && !(ALLOWED[from] ?? []).includes(to))
      .map(({ file, specifier, from, to }) => `${file}: '${specifier}' (${from} → ${to})`);
    assert.deepEqual(against, []);
  });

  test('every part of src/ is placed in the table', () => {
    const parts = new Set(sourceFiles(SRC).map(partOf));
    const unplaced = [...parts].filter((part) => !(part in ALLOWED) && !WIRING.has(part));
    assert.deepEqual(unplaced, []);
  });

  test('the scan sees the imports it checks', () => {
    // A scan that found nothing would pass the first test vacuously.
    const seen = new Set(imports.map(({ from, to }) => `${from}→${to}`));
    for (const edge of ['http→services', 'services→runs', 'runs→store', 'tools→store', 'runs→providers']) {
      assert.ok(seen.has(edge), `expected at least one ${edge} import`);
    }
  });

  test('nothing below http/ depends on the web framework', () => {
    const framework = sourceFiles(SRC)
      .filter((file) => !['http', ...WIRING].includes(partOf(file)))
      .filter((file) => /from\s+'(fastify|@fastify\/[^']+)'/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(SRC, file));
    assert.deepEqual(framework, []);
  });
});
