import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '..');

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

const codeFiles = [...filesUnder(path.join(ROOT, 'src')), ...filesUnder(path.join(ROOT, 'test'))];
const code = codeFiles
  .filter((file) => file.endsWith('.ts'))
  .map((file) => readFileSync(file, 'utf8'))
  .join('\n');
const fileNames = new Set(codeFiles.map((file) => path.basename(file)));

/**
 * Names a design document puts in backticks: code identifiers (`RunWriter.commit`, `assertTransition`) must
 * occur in the source, file names (`run-status.ts`) must exist. Other backticked text (statuses, headers,
 * JSON) is left alone.
 */
function missingNames(text: string): string[] {
  const missing = new Set<string>();
  for (const [, token] of text.matchAll(/`([^`\n]+)`/g)) {
    const name = token!.replace(/\(.*\)$/, '');
    if (/^[\w-]+\.ts$/.test(name)) {
      if (!fileNames.has(name)) missing.add(name);
    } else if (/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(name) && /[A-Z]/.test(name)) {
      for (const part of name.split('.'))
        if (!new RegExp(`\\b${part.replace('$', '\\$')}\\b`).test(code)) missing.add(name);
    }
  }
  return [...missing];
}

describe('design documents', () => {
  for (const document of ['docs/runs.md', 'docs/providers.md', 'docs/deploy.md', 'README.md']) {
    test(`every code name and file named in ${document} exists`, () => {
      assert.deepEqual(missingNames(readFileSync(path.join(ROOT, document), 'utf8')), []);
    });
  }

  test('the check notices a name that does not exist', () => {
    // Guards the check itself: a pattern that matched nothing would pass the test above vacuously.
    const invented = ['Nonexistent', 'Writer'].join('');
    const text = `\`${invented}.commit\` and \`no-such-module.ts\` beside \`RunWriter\`, \`queued\` and \`run-status.ts\``;
    assert.deepEqual(missingNames(text), [`${invented}.commit`, 'no-such-module.ts']);
  });
});
