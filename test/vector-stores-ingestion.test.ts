import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildDocx, buildPdf, buildPptx } from './fixtures/file-search-documents.js';
import { rejectsWith } from './helpers/file-fixtures.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { uploadFile } from './helpers/vector-store-helpers.js';

let fixture: RunFixture;

before(async () => {
  fixture = await startRunFixture();
});

after(async () => {
  await fixture?.close();
});

/** One document per supported format, each with a distinctive sentence the search must find. */
const DOCUMENTS: ReadonlyArray<{ filename: string; content: string | Uint8Array; phrase: string; query: string }> = [
  {
    filename: 'notes.txt',
    content: 'Okapis are related to giraffes.\n',
    phrase: 'Okapis are related to giraffes.',
    query: 'okapis giraffes',
  },
  {
    filename: 'guide.md',
    content: '# Guide\n\nNarwhals have a spiral tusk.\n',
    phrase: 'Narwhals have a spiral tusk.',
    query: 'narwhals tusk',
  },
  {
    filename: 'page.html',
    content:
      '<!doctype html><html><head><title>t</title><style>p{}</style></head><body><p>Axolotls regrow their limbs.</p></body></html>',
    phrase: 'Axolotls regrow their limbs.',
    query: 'axolotls regrow limbs',
  },
  // Text whose first bytes happen to match a binary signature ("BM" is BMP's, "....wide" QuickTime's).
  {
    filename: 'bmp.txt',
    content: 'BMP receptors shape the zebrafish embryo.\n',
    phrase: 'BMP receptors shape the zebrafish embryo.',
    query: 'zebrafish embryo',
  },
  {
    filename: 'wide.txt',
    content: 'The widespread tardigrade survives vacuum.\n',
    phrase: 'The widespread tardigrade survives vacuum.',
    query: 'tardigrade vacuum',
  },
  {
    filename: 'data.json',
    content: '{"animal": "pangolin", "fact": "Pangolins have keratin scales"}',
    phrase: 'Pangolins have keratin scales',
    query: 'pangolins keratin scales',
  },
  {
    filename: 'tapir.py',
    content: 'def tapir_snout():\n    """Tapirs use their snout to grab leaves."""\n',
    phrase: 'Tapirs use their snout',
    query: 'tapirs snout',
  },
  {
    filename: 'report.pdf',
    content: buildPdf(['Quokkas live on Rottnest Island.']),
    phrase: 'Quokkas live on Rottnest Island.',
    query: 'quokkas rottnest',
  },
  {
    filename: 'memo.docx',
    content: buildDocx(['Wombats produce cube-shaped droppings.']),
    phrase: 'Wombats produce cube-shaped droppings.',
    query: 'wombats cube',
  },
  {
    filename: 'deck.pptx',
    content: buildPptx([
      { paragraphs: ['Capybaras are the largest rodents.'], notes: 'Speaker notes about capybaras.' },
    ]),
    phrase: 'Capybaras are the largest rodents.',
    query: 'capybaras largest rodents',
  },
];

test('every supported format ingests end to end: completed, parsed content, searchable', async () => {
  const { client } = fixture;
  const store = await client.vectorStores.create({ name: 'formats' });
  const uploaded = await Promise.all(
    DOCUMENTS.map(async (document) => ({
      document,
      file: await uploadFile(client, document.filename, document.content),
    })),
  );
  const batch = await client.vectorStores.fileBatches.createAndPoll(store.id, {
    file_ids: uploaded.map(({ file }) => file.id),
  });
  assert.deepEqual(batch.file_counts, {
    in_progress: 0,
    completed: DOCUMENTS.length,
    failed: 0,
    cancelled: 0,
    total: DOCUMENTS.length,
  });

  for (const { document, file } of uploaded) {
    const content = await client.vectorStores.files.content(file.id, { vector_store_id: store.id });
    assert.ok(
      content.data
        .map((part) => part.text)
        .join('')
        .includes(document.phrase),
      `${document.filename}: content has the phrase`,
    );
    const results = await client.vectorStores.search(store.id, { query: document.query, max_num_results: 3 });
    assert.equal(results.data[0]?.file_id, file.id, `${document.filename} is the best match for '${document.query}'`);
    assert.equal(results.data[0]?.filename, document.filename);
    assert.ok(
      results.data[0]?.content.some((part) => part.text.includes(document.phrase)),
      `${document.filename}: the result holds the chunk`,
    );
  }
});

test('unreadable files end failed with a clear last_error, never stuck in progress', async () => {
  const { client } = fixture;
  const store = await client.vectorStores.create({});
  const truncatedPdf = buildPdf(['This PDF is cut off halfway.']).subarray(0, 120);
  const cases: Array<{ filename: string; content: string | Uint8Array; code: string; message: RegExp }> = [
    { filename: 'corrupt.pdf', content: truncatedPdf, code: 'invalid_file', message: /PDF/ },
    {
      filename: 'fake.pdf',
      content: 'plain text pretending to be a PDF',
      code: 'invalid_file',
      message: /not a valid PDF/,
    },
    {
      filename: 'broken.docx',
      content: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6]),
      code: 'invalid_file',
      message: /DOCX|docx/,
    },
    {
      filename: 'blob.bin',
      content: new Uint8Array([0, 159, 146, 150, 0, 0, 1, 2, 3]),
      code: 'unsupported_file',
      message: /not a supported format/,
    },
    {
      filename: 'picture.png',
      content: Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'),
      code: 'unsupported_file',
      message: /image\/png/,
    },
    { filename: 'empty.txt', content: '', code: 'invalid_file', message: /No text/ },
    { filename: 'blank.md', content: '   \n\n  \t\n', code: 'invalid_file', message: /No text/ },
  ];
  for (const entry of cases) {
    const file = await uploadFile(client, entry.filename, entry.content);
    const result = await client.vectorStores.files.createAndPoll(store.id, { file_id: file.id });
    assert.equal(result.status, 'failed', `${entry.filename} failed`);
    assert.equal(result.usage_bytes, 0);
    assert.equal(result.last_error?.code, entry.code, `${entry.filename}: ${result.last_error?.message}`);
    assert.match(result.last_error?.message ?? '', entry.message, entry.filename);
  }
  const view = await client.vectorStores.retrieve(store.id);
  assert.equal(view.status, 'completed');
  assert.deepEqual(
    await client.vectorStores.search(store.id, { query: 'pdf text halfway' }).then((page) => page.data),
    [],
  );
  // The content of a file that cannot be parsed is a 400 that says why, not a server error.
  const corrupt = (await client.vectorStores.files.list(store.id, { filter: 'failed', order: 'asc', limit: 1 }))
    .data[0]!;
  await rejectsWith(client.vectorStores.files.content(corrupt.id, { vector_store_id: store.id }), {
    status: 400,
    code: 'invalid_file',
    message: /PDF/,
  });
  assert.deepEqual(view.file_counts, {
    in_progress: 0,
    completed: 0,
    failed: cases.length,
    cancelled: 0,
    total: cases.length,
  });
});

const STATIC = (max: number, overlap: number) => ({
  type: 'static' as const,
  static: { max_chunk_size_tokens: max, chunk_overlap_tokens: overlap },
});

test('chunking limits are enforced with errors that name the parameter', async () => {
  const { client } = fixture;
  const file = await uploadFile(client, 'chunk.txt', 'Chunk me.');
  const store = await client.vectorStores.create({});
  const invalid: Array<{ strategy: ReturnType<typeof STATIC>; field: string }> = [
    { strategy: STATIC(99, 0), field: 'max_chunk_size_tokens' },
    { strategy: STATIC(4097, 0), field: 'max_chunk_size_tokens' },
    { strategy: STATIC(800, 401), field: 'chunk_overlap_tokens' },
    { strategy: STATIC(800, -1), field: 'chunk_overlap_tokens' },
  ];
  for (const { strategy, field } of invalid) {
    const fieldPattern = new RegExp(field);
    await rejectsWith(client.vectorStores.files.create(store.id, { file_id: file.id, chunking_strategy: strategy }), {
      status: 400,
      param: `chunking_strategy.static.${field}`,
    });
    await rejectsWith(client.vectorStores.create({ file_ids: [file.id], chunking_strategy: strategy }), {
      status: 400,
      message: fieldPattern,
    });
    await rejectsWith(
      client.vectorStores.fileBatches.create(store.id, { file_ids: [file.id], chunking_strategy: strategy }),
      { status: 400, message: fieldPattern },
    );
    await rejectsWith(
      client.vectorStores.fileBatches.create(store.id, { files: [{ file_id: file.id, chunking_strategy: strategy }] }),
      { status: 400, message: fieldPattern },
    );
  }
  await rejectsWith(
    client.vectorStores.files.create(store.id, {
      file_id: file.id,
      chunking_strategy: { type: 'sliding' } as unknown as ReturnType<typeof STATIC>,
    }),
    {
      status: 400,
    },
  );
  // Nothing was added by the rejected requests.
  assert.equal((await client.vectorStores.retrieve(store.id)).file_counts.total, 0);

  // The bounds themselves are accepted: 100 with half overlap, 4096 with none; auto shows 800/400.
  const smallest = await client.vectorStores.files.createAndPoll(store.id, {
    file_id: file.id,
    chunking_strategy: STATIC(100, 50),
  });
  assert.deepEqual(smallest.chunking_strategy, STATIC(100, 50));
  const largest = await client.vectorStores.files.createAndPoll(store.id, {
    file_id: file.id,
    chunking_strategy: STATIC(4096, 0),
  });
  assert.deepEqual(largest.chunking_strategy, STATIC(4096, 0));
  const auto = await client.vectorStores.files.createAndPoll(store.id, {
    file_id: file.id,
    chunking_strategy: { type: 'auto' },
  });
  assert.deepEqual(auto.chunking_strategy, STATIC(800, 400));
});

test('a small chunk size splits a long file into many chunks that are each searchable', async () => {
  const { client } = fixture;
  const store = await client.vectorStores.create({});
  const paragraphs = Array.from(
    { length: 40 },
    (_, index) =>
      `Paragraph ${index} mentions the keyword marker${index} and some filler words to take up tokens here.`,
  );
  const file = await uploadFile(client, 'long.txt', paragraphs.join('\n\n'));
  await client.vectorStores.files.createAndPoll(store.id, { file_id: file.id, chunking_strategy: STATIC(100, 0) });
  const first = await client.vectorStores.search(store.id, { query: 'marker3' });
  const last = await client.vectorStores.search(store.id, { query: 'marker39' });
  assert.match(first.data[0]?.content[0]?.text ?? '', /marker3\b/);
  assert.match(last.data[0]?.content[0]?.text ?? '', /marker39\b/);
  assert.notEqual(first.data[0]?.content[0]?.text, last.data[0]?.content[0]?.text);
  assert.ok(
    (await client.vectorStores.search(store.id, { query: 'filler words', max_num_results: 50 })).data.length > 5,
  );
});
