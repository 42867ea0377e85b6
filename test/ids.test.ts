import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from '../src/ids.js';

test('ids are the prefix and 24 base-62 characters, distinct, drawn from the whole alphabet', () => {
  const ids = Array.from({ length: 20_000 }, () => newId('msg_'));
  for (const id of ids) assert.match(id, /^msg_[A-Za-z0-9]{24}$/);
  assert.equal(new Set(ids).size, ids.length);
  const seen = new Set(ids.flatMap((id) => [...id.slice(4)]));
  assert.equal(seen.size, 62, 'every base-62 character occurs');
  assert.match(newId('file-', 10), /^file-[A-Za-z0-9]{10}$/);
});

test('each character is close to uniform (rejection sampling, no modulo bias)', () => {
  const counts = new Map<string, number>();
  for (let index = 0; index < 20_000; index++) {
    for (const character of newId('run_').slice(4)) counts.set(character, (counts.get(character) ?? 0) + 1);
  }
  const expected = (20_000 * 24) / 62;
  for (const [character, count] of counts) {
    // ~7,742 each; a biased byte % 62 would put the first 8 characters about 25% above the rest.
    assert.ok(Math.abs(count - expected) < expected * 0.06, `${character}: ${count} vs ${Math.round(expected)}`);
  }
});
