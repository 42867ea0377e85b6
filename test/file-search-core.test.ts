import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { ApiError } from '../src/errors.js';
import type { ChunkHit, FileSearchIndex } from '../src/store/file-search-index.js';
import type { Store } from '../src/store/store.js';
import { defaultAnalyzer } from '../src/tools/file-search/analyzer.js';
import { chunkText, chunkTextStream } from '../src/tools/file-search/chunk.js';
import { resolveChunkingStrategy } from '../src/tools/file-search/chunking-strategy.js';
import { ExtractionError, extractText, extractTextStream } from '../src/tools/file-search/extract.js';
import { reciprocalRankFusion } from '../src/tools/file-search/fusion.js';
import { buildDocx, buildPdf, buildPptx } from './fixtures/file-search-documents.js';
import { countChunks, openBackendStore } from './helpers/backend-db.js';

const directory = mkdtempSync(path.join(tmpdir(), 'file-search-core-'));
after(() => rmSync(directory, { recursive: true, force: true }));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('extractText', () => {
  test('plain text, Markdown, JSON and source code come back as written', async () => {
    assert.deepEqual(await extractText({ bytes: utf8('héllo wörld\n'), filename: 'notes.txt' }), {
      text: 'héllo wörld\n',
      format: 'text',
    });
    assert.deepEqual(await extractText({ bytes: utf8('# Title\n\nBody'), filename: 'README.md' }), {
      text: '# Title\n\nBody',
      format: 'markdown',
    });
    assert.deepEqual(await extractText({ bytes: utf8('{"a": [1, 2]}'), filename: 'data.json' }), {
      text: '{"a": [1, 2]}',
      format: 'json',
    });
    assert.deepEqual(await extractText({ bytes: utf8('export const x = 1;\n'), filename: 'x.ts' }), {
      text: 'export const x = 1;\n',
      format: 'code',
    });
  });

  test('HTML becomes its visible text', async () => {
    const html =
      '<html><head><title>T</title><script>var hidden = 1;</script></head><body><h1>Heading</h1><p>First <a href="https://x.test">link</a>.</p></body></html>';
    const { text, format } = await extractText({ bytes: utf8(html), filename: 'page.html' });
    assert.equal(format, 'html');
    assert.match(text, /HEADING/i);
    assert.match(text, /First link\./);
    assert.doesNotMatch(text, /<p>|hidden|https:\/\/x\.test/);
  });

  test('text that is not UTF-8 is read as Windows-1252', async () => {
    const { text } = await extractText({ bytes: new Uint8Array([0x63, 0x61, 0x66, 0xe9]), filename: 'legacy.txt' });
    assert.equal(text, 'café');
  });

  test('PDF text is extracted from every page', async () => {
    const { text, format } = await extractText({
      bytes: buildPdf(['Mitochondria are the powerhouse', 'of the cell']),
      filename: 'biology.pdf',
    });
    assert.equal(format, 'pdf');
    assert.match(text, /Mitochondria are the powerhouse/);
    assert.match(text, /of the cell/);
  });

  test('a corrupt PDF throws ExtractionError with a message for the user', async () => {
    const corrupt = utf8('%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage without xref');
    await assert.rejects(extractText({ bytes: corrupt, filename: 'broken.pdf' }), (error: unknown) => {
      assert.ok(error instanceof ExtractionError);
      assert.match(error.message, /^The file is a PDF but could not be parsed: /);
      assert.equal(error.format, 'pdf');
      return true;
    });
  });

  test('DOCX paragraphs are extracted', async () => {
    const { text, format } = await extractText({
      bytes: buildDocx(['Quarterly revenue grew', 'Costs fell by 3%']),
      filename: 'report.docx',
    });
    assert.equal(format, 'docx');
    assert.equal(text, 'Quarterly revenue grew\n\nCosts fell by 3%');
  });

  test('PPTX slides come in numeric order, each with its notes', async () => {
    const slides: Array<{ paragraphs: string[]; notes?: string }> = Array.from({ length: 11 }, (_, index) => ({
      paragraphs: [`Slide ${index + 1} title`, 'A & B'],
    }));
    slides[1] = { paragraphs: ['Slide 2 title'], notes: 'Speaker notes here' };
    const { text, format } = await extractText({ bytes: buildPptx(slides), filename: 'deck.pptx' });
    assert.equal(format, 'pptx');
    const blocks = text.split('\n\n');
    assert.equal(blocks.length, 11);
    assert.equal(blocks[0], 'Slide 1 title\nA & B');
    assert.equal(blocks[1], 'Slide 2 title\nSpeaker notes here');
    assert.match(blocks[10] ?? '', /^Slide 11 title/);
  });

  test('unsupported or mislabelled binaries throw ExtractionError', async () => {
    const png = new Uint8Array([
      0x89,
      0x50,
      0x4e,
      0x47,
      0x0d,
      0x0a,
      0x1a,
      0x0a,
      0,
      0,
      0,
      13,
      0x49,
      0x48,
      0x44,
      0x52,
      ...new Array(64).fill(0),
    ]);
    await assert.rejects(extractText({ bytes: png, filename: 'photo.png' }), /appears to be image\/png/);
    await assert.rejects(extractText({ bytes: utf8('just text'), filename: 'fake.docx' }), ExtractionError);
    await assert.rejects(
      extractText({ bytes: new Uint8Array([1, 0, 2, 0, 3]), filename: 'blob.bin' }),
      /not a supported format/,
    );
    await assert.rejects(
      extractText({ bytes: utf8('{"open": '), filename: 'bad.json' }),
      /^ExtractionError: The file is JSON but could not be parsed/,
    );
  });

  test('a large text file streams in pieces and round-trips, multi-byte characters included', async () => {
    const line = 'Ünïcödé line with emoji 😀 and plain words.\n';
    const content = line.repeat(20_000); // ~1 MB: many 64 KB reads, characters split across them
    const file = path.join(directory, 'big.txt');
    writeFileSync(file, content);
    const { format, pieces } = await extractTextStream({ path: file, filename: 'big.txt' });
    assert.equal(format, 'text');
    let joined = '';
    let count = 0;
    for await (const piece of pieces) {
      joined += piece;
      count++;
    }
    assert.ok(count > 10, `expected many pieces, got ${count}`);
    assert.equal(joined, content);
  });
});

describe('chunking', () => {
  const paragraph = (index: number): string =>
    `Paragraph ${index}. ${'The quick brown fox jumps over the lazy dog. '.repeat(3 + (index % 5))}\n\n`;
  const longText = Array.from({ length: 120 }, (_, index) => paragraph(index)).join('');

  test('chunks respect the maximum, overlap, and cover the text end to end', () => {
    const limits = { maxChunkSizeTokens: 200, chunkOverlapTokens: 60 };
    const chunks = chunkText(longText, limits);
    assert.ok(chunks.length > 10);
    chunks.forEach((chunk, index) => {
      assert.equal(chunk.index, index);
      assert.ok(chunk.tokenCount <= 200, `chunk ${index} has ${chunk.tokenCount} tokens`);
      assert.ok(encode(chunk.text).length <= 200);
      // Cuts prefer boundaries in the last quarter, so no chunk is much shorter than the limit.
      if (index < chunks.length - 1)
        assert.ok(chunk.tokenCount >= 150, `chunk ${index} has only ${chunk.tokenCount} tokens`);
    });
    assert.ok(longText.startsWith(chunks[0]?.text ?? '-'));
    assert.ok(longText.endsWith(chunks.at(-1)?.text ?? '-'));
    for (let index = 1; index < chunks.length; index++) {
      const previous = chunks[index - 1]?.text ?? '';
      const head = (chunks[index]?.text ?? '').slice(0, 80);
      assert.ok(previous.includes(head), `chunk ${index} does not start inside the previous chunk's overlap`);
    }
  });

  test('chunks end at paragraph or sentence boundaries when one is near the limit', () => {
    const chunks = chunkText(longText, { maxChunkSizeTokens: 200, chunkOverlapTokens: 0 });
    for (const chunk of chunks.slice(0, -1)) assert.match(chunk.text, /[.]\s*$/);
  });

  test('without overlap the chunks concatenate back to the text', () => {
    const chunks = chunkText(longText, { maxChunkSizeTokens: 100, chunkOverlapTokens: 0 });
    assert.equal(chunks.map((chunk) => chunk.text).join(''), longText);
  });

  test('a stream of arbitrary pieces gives the same chunks as the whole text', async () => {
    const text = longText.repeat(12); // > 64 KB so the streaming path tokenizes in several batches
    const pieces: string[] = [];
    for (let offset = 0; offset < text.length; offset += 7_777) pieces.push(text.slice(offset, offset + 7_777));
    const streamed = [];
    for await (const chunk of chunkTextStream(pieces)) streamed.push(chunk);
    assert.deepEqual(streamed, chunkText(text));
  });

  test('small and empty inputs', () => {
    assert.deepEqual(chunkText('Short note.'), [
      { index: 0, text: 'Short note.', tokenCount: encode('Short note.').length },
    ]);
    assert.deepEqual(chunkText(''), []);
    assert.deepEqual(chunkText('   \n\n  '), []);
  });

  test('chunking_strategy defaults and validation', () => {
    assert.deepEqual(resolveChunkingStrategy(undefined), { maxChunkSizeTokens: 800, chunkOverlapTokens: 400 });
    assert.deepEqual(resolveChunkingStrategy({ type: 'auto' }), { maxChunkSizeTokens: 800, chunkOverlapTokens: 400 });
    assert.deepEqual(
      resolveChunkingStrategy({ type: 'static', static: { max_chunk_size_tokens: 4096, chunk_overlap_tokens: 2048 } }),
      {
        maxChunkSizeTokens: 4096,
        chunkOverlapTokens: 2048,
      },
    );
    const rejects = (strategy: unknown, param: string, message: RegExp): void => {
      assert.throws(
        () => resolveChunkingStrategy(strategy),
        (error: unknown) => {
          assert.ok(error instanceof ApiError);
          assert.equal(error.status, 400);
          assert.equal(error.param, param);
          assert.match(error.message, message);
          return true;
        },
      );
    };
    const staticParam = 'chunking_strategy.static';
    rejects(
      { type: 'static', static: { max_chunk_size_tokens: 99, chunk_overlap_tokens: 0 } },
      `${staticParam}.max_chunk_size_tokens`,
      /Expected a value >= 100, but got 99/,
    );
    rejects(
      { type: 'static', static: { max_chunk_size_tokens: 5000, chunk_overlap_tokens: 0 } },
      `${staticParam}.max_chunk_size_tokens`,
      /Expected a value <= 4096/,
    );
    rejects(
      { type: 'static', static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 401 } },
      `${staticParam}.chunk_overlap_tokens`,
      /half of max_chunk_size_tokens/,
    );
    rejects(
      { type: 'static', static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: -1 } },
      `${staticParam}.chunk_overlap_tokens`,
      />= 0/,
    );
    rejects(
      { type: 'static', static: { max_chunk_size_tokens: 800.5, chunk_overlap_tokens: 0 } },
      `${staticParam}.max_chunk_size_tokens`,
      /expected an integer/,
    );
    rejects({ type: 'static' }, staticParam, /Missing required parameter/);
    rejects({ type: 'dynamic' }, 'chunking_strategy.type', /Supported values are: 'auto' and 'static'/);
  });
});

/** The store's keyword index on the pass's backend: SQLite's FTS5 in pass 1, PostgreSQL's dialect in pass 2. */
describe('keyword index', () => {
  const dataDir = path.join(directory, 'keyword-index');
  let store: Store;
  let keywords: FileSearchIndex;
  // Analysis is the caller's: the index gets terms, as ingestion and search give them.
  const index = (vectorStoreId: string, fileId: string, text: string, title = `${fileId}.txt`): Promise<void> => {
    const chunks = chunkText(text).map((chunk) => ({ ...chunk, terms: defaultAnalyzer.terms(chunk.text) }));
    return keywords.addChunks(vectorStoreId, fileId, chunks, defaultAnalyzer.terms(title));
  };
  const search = (vectorStoreIds: string[], query: string, limit: number, fileIds?: string[]): Promise<ChunkHit[]> => {
    const files = fileIds ? { fileIds: new Set(fileIds) } : {};
    return keywords.keywordSearch(defaultAnalyzer.terms(query), { vectorStoreIds, limit, ...files });
  };
  const chunkCount = (fileId: string): Promise<number> => countChunks(dataDir, { fileId });

  before(async () => {
    mkdirSync(dataDir);
    store = await openBackendStore(dataDir);
    keywords = store.fileSearch;
    await index('vs_a', 'file-bees', 'Honey bees pollinate flowering plants and produce honey in their hives.');
    await index('vs_a', 'file-stars', 'Neutron stars are the collapsed cores of massive stars after a supernova.');
    const taxes = 'The quarterly tax report lists revenue, costs and deductions.';
    await index('vs_a', 'file-tax', taxes, 'Annual report 2023.pdf');
    await index('vs_b', 'file-other', 'Honey bees and honey production in another store.');
  });
  after(() => store.close());

  test('the document with the query terms ranks first, with scores in 0..1, best first', async () => {
    const hits = await search(['vs_a'], 'How do bees make honey?', 10);
    assert.equal(hits[0]?.fileId, 'file-bees');
    assert.equal(hits[0]?.vectorStoreId, 'vs_a');
    assert.match(hits[0]?.text ?? '', /Honey bees pollinate/);
    for (const hit of hits) assert.ok(hit.score > 0 && hit.score <= 1);
    assert.deepEqual(
      hits.map((hit) => hit.score),
      hits.map((hit) => hit.score).sort((left, right) => right - left),
    );
  });

  test('stemming matches other forms of a word, and the file title is searchable', async () => {
    assert.equal((await search(['vs_a'], 'pollination of flowers', 1))[0]?.fileId, 'file-bees');
    assert.equal((await search(['vs_a'], 'annual 2023', 1))[0]?.fileId, 'file-tax');
  });

  test('a search sees only its vector stores and, if given, its files', async () => {
    const storeB = await search(['vs_b'], 'honey bees', 10);
    assert.deepEqual(
      storeB.map((hit) => [hit.vectorStoreId, hit.fileId]),
      [['vs_b', 'file-other']],
    );
    const both = await search(['vs_a', 'vs_b'], 'honey bees', 10);
    assert.deepEqual(both.map((hit) => hit.fileId).sort(), ['file-bees', 'file-other']);
    assert.deepEqual(await search(['vs_a'], 'honey', 10, ['file-stars']), []);
    assert.deepEqual(await search(['vs_missing'], 'honey', 10), []);
  });

  test('FTS5 syntax in a query or in terms is only text', async () => {
    const hostile = [
      '"unbalanced',
      'bees AND OR NOT',
      'title: honey',
      'NEAR(honey bees, 2)',
      'hon*',
      '^bees',
      '(((',
      '-bees',
      '{body} : x',
      "it's",
      '',
    ];
    for (const query of hostile) {
      await assert.doesNotReject(search(['vs_a'], query, 5), `query ${JSON.stringify(query)}`);
    }
    // The store quotes every term itself, whatever analyzer produced it.
    const rawTerms = ['"', 'AND', 'NEAR(', '*', ':', '{title body}'];
    await assert.doesNotReject(keywords.keywordSearch(rawTerms, { vectorStoreIds: ['vs_a'], limit: 5 }));
    assert.equal((await search(['vs_a'], '"honey" AND (bees', 1))[0]?.fileId, 'file-bees');
  });

  test('a query with no index terms (only stopwords or punctuation) finds nothing', async () => {
    assert.deepEqual(await search(['vs_a'], 'to be or not to be', 5), []);
    assert.deepEqual(await search(['vs_a'], '?!', 5), []);
  });

  test("deleting a file's chunks removes them from search", async () => {
    await index('vs_a', 'file-temp', 'Quantum chromodynamics describes quarks and gluons.');
    assert.equal((await search(['vs_a'], 'quarks gluons', 5))[0]?.fileId, 'file-temp');
    assert.equal(await chunkCount('file-temp'), 1);
    await keywords.deleteFile('vs_a', 'file-temp');
    assert.deepEqual(await search(['vs_a'], 'quarks gluons', 5), []);
    assert.equal(await chunkCount('file-temp'), 0);
  });

  test('the analyzer folds case and accents, stems, and drops stopwords', () => {
    assert.deepEqual(defaultAnalyzer.terms("The Café's RUNNING runners, 1,000 and 0.5%"), [
      'cafe',
      'run',
      'runner',
      '1000',
      '0.5',
    ]);
  });
});

describe('reciprocal rank fusion', () => {
  const list = (keys: string[]) => keys.map((key, index) => ({ key, score: 1 - index * 0.1, item: key }));

  test('an item high in both lists wins; scores are 0..1 and best first', () => {
    const fused = reciprocalRankFusion([list(['a', 'b', 'c']), list(['b', 'd', 'a'])], { maxNumResults: 10 });
    assert.deepEqual(
      fused.map((entry) => entry.key),
      ['b', 'a', 'd', 'c'],
    );
    assert.deepEqual(fused[0]?.ranks, [2, 1]);
    assert.ok(fused.every((entry) => entry.score > 0 && entry.score <= 1));
    assert.equal(reciprocalRankFusion([list(['x']), list(['x'])], { maxNumResults: 1 })[0]?.score, 1);
  });

  test('max_num_results and score_threshold limit the output', () => {
    const lists = [list(['a', 'b', 'c']), list(['b', 'd', 'a'])];
    assert.equal(reciprocalRankFusion(lists, { maxNumResults: 2 }).length, 2);
    const strict = reciprocalRankFusion(lists, { maxNumResults: 10, scoreThreshold: 0.6 });
    assert.deepEqual(
      strict.map((entry) => entry.key),
      ['b', 'a'],
    );
  });

  test('a single list keeps its own scores and order', () => {
    const fused = reciprocalRankFusion([list(['a', 'b', 'c']), []], { maxNumResults: 10, scoreThreshold: 0.85 });
    assert.deepEqual(
      fused.map((entry) => [entry.key, entry.score]),
      [
        ['a', 1],
        ['b', 0.9],
      ],
    );
  });
});
