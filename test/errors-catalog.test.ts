import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ERROR_DOCS_PATH, renderErrorDocs } from '../scripts/gen-error-docs.js';
import { errors } from '../src/errors.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const CATALOG = 'errors.ts';
const REGENERATE = 'node --import tsx scripts/gen-error-docs.ts';

/** Every TypeScript source under src/ except the catalog itself and generated code, by relative path. */
function sources(): Map<string, string> {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts') && path !== CATALOG && !path.startsWith(join('api', 'generated')))
    .sort();
  return new Map(files.map((path) => [path, readFileSync(join(SRC, path), 'utf8')]));
}

/** Names a source reaches through the catalog: `errors.notFound(...)`, or `errors.stringTooLong` in a table. */
function referencedNames(texts: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const text of texts) {
    for (const match of text.matchAll(/\berrors\.([A-Za-z_$][\w$]*)/g)) names.add(match[1]!);
  }
  return names;
}

function unusedEntries(entryNames: readonly string[], texts: Iterable<string>): string[] {
  const referenced = referencedNames(texts);
  return entryNames.filter((name) => !referenced.has(name));
}

describe('error catalog', () => {
  test('docs/errors.md is what the generator produces from the catalog', () => {
    const written = readFileSync(ERROR_DOCS_PATH, 'utf8');
    assert.equal(written, renderErrorDocs(), `docs/errors.md is out of date with src/errors.ts: run \`${REGENERATE}\``);
  });

  test('every entry is thrown somewhere in src/', () => {
    const unused = unusedEntries(Object.keys(errors), sources().values());
    assert.deepEqual(
      unused,
      [],
      `unused catalog entries: ${unused.join(', ')}. Delete them from src/errors.ts and run \`${REGENERATE}\`.`,
    );
  });

  test('the usage check notices an entry no source names', () => {
    const texts = ["throw errors.notFound('thread', id);", 'const table = { maxLength: errors.stringTooLong };'];
    assert.deepEqual(unusedEntries(['notFound', 'stringTooLong', 'arrayTooLong'], texts), ['arrayTooLong']);
  });

  test('no source builds an ApiError outside the catalog', () => {
    const offenders = [...sources()].filter(([, text]) => /\bnew ApiError\s*\(/.test(text)).map(([path]) => path);
    assert.deepEqual(offenders, [], 'throw a named entry of `errors` from src/errors.ts instead');
  });

  test('every template piece is a plain name the renderer fills', () => {
    for (const [name, { spec }] of Object.entries(errors)) {
      for (const field of [String(spec.status), spec.code, spec.param, spec.message]) {
        const leftover = (field ?? '').replace(/\{\w+\}/g, '');
        assert.ok(!/[{}]/.test(leftover), `${name}: '${field}' has a brace that is not a {name} piece`);
      }
    }
  });

  test('an entry renders its spec with the pieces filled in', () => {
    const error = errors.unknownUploadPart(2, 'part_x', 'upload_y');
    assert.equal(error.status, 400);
    assert.deepEqual(error.toBody(), {
      error: {
        message: "Invalid 'part_ids[2]': no part 'part_x' in upload upload_y.",
        type: 'invalid_request_error',
        param: 'part_ids[2]',
        code: 'invalid_value',
      },
    });
    assert.equal(errors.notFound('run', 'run_1').param, null);
    assert.equal(errors.frameworkError(405, 'Method not allowed').status, 405);
  });
});
