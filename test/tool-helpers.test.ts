import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { citationMarker, findCitations } from '../src/tools/file-search/citations.js';
import { JsonStringFieldStream } from '../src/tools/json-string-field-stream.js';

describe('citation markers', () => {
  test('each marker the model copied becomes an annotation slicing exactly the marker', () => {
    const first = citationMarker(0, 0, 'report.pdf');
    const second = citationMarker(0, 2, 'notes.txt');
    const text = `Revenue grew 12% ${first}. Costs fell 😀 slightly ${second} and again ${first}.`;
    const citations = findCitations(
      text,
      new Map([
        ['0:0', 'file-a'],
        ['0:2', 'file-b'],
      ]),
    );
    assert.deepEqual(
      citations.map((citation) => citation.file_citation.file_id),
      ['file-a', 'file-b', 'file-a'],
    );
    for (const citation of citations) assert.equal(text.slice(citation.start_index, citation.end_index), citation.text);
  });

  test('markers with a shortened source name still match; unknown markers are plain text', () => {
    const text = 'See 【1:0†source】 and 【9:9†ghost.txt】.';
    const citations = findCitations(text, new Map([['1:0', 'file-x']]));
    assert.equal(citations.length, 1);
    assert.equal(citations[0]!.text, '【1:0†source】');
  });

  test('brackets in a filename cannot break the marker', () => {
    assert.equal(citationMarker(2, 3, 'odd【name】.txt'), '【2:3†oddname.txt】');
  });
});

describe('streaming a JSON string field', () => {
  test('decodes the field as its pieces arrive, escapes split across pieces included', () => {
    const stream = new JsonStringFieldStream('code');
    const json = JSON.stringify({ code: 'print("héllo")\nx = 1\t# done \u00e9' });
    let decoded = '';
    for (const piece of json.match(/.{1,3}/gs)!) decoded += stream.push(piece);
    assert.equal(decoded, 'print("héllo")\nx = 1\t# done é');
  });

  test('ignores other fields and stops at the closing quote', () => {
    const stream = new JsonStringFieldStream('code');
    assert.equal(stream.push('{"lang": "py", "code": "a'), 'a');
    assert.equal(stream.push('b", "more": "c"}'), 'b');
    assert.equal(stream.push('"'), '');
  });
});

describe('rewrite_query', () => {
  test('a question is reduced to its search terms, and a query of only filler words is kept', async () => {
    const { rewriteQuery } = await import('../src/tools/file-search/rewrite-query.js');
    assert.equal(rewriteQuery('What is the capital of France?'), 'capital france');
    assert.equal(rewriteQuery('How do I reset my password'), 'reset password');
    assert.equal(rewriteQuery('what is it'), 'what is it');
  });
});
