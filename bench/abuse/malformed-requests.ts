/** One malformed request of the burst. */
export interface BadRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const JSON_TYPE = { 'content-type': 'application/json' };

function json(text: string): Buffer {
  return Buffer.from(text);
}

/** Arrays nested 10,000 deep: a parser or validator that recurses per level would run out of stack. */
const DEEP = `{"model":"gpt-4o","metadata":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
/** 100,000 items where at most a few are allowed. */
const WIDE = `{"messages":[${Array.from({ length: 100_000 }, () => '1').join(',')}]}`;

/** The kinds the burst cycles through: bad JSON, bad types, bad ids, bad queries, bad framing, no auth. */
export function malformedRequests(): BadRequest[] {
  return [
    { kind: 'truncated JSON', method: 'POST', path: '/v1/threads', headers: JSON_TYPE, body: json('{"messages": [') },
    {
      kind: 'wrong content type',
      method: 'POST',
      path: '/v1/assistants',
      headers: { 'content-type': 'text/plain' },
      body: json('model=gpt-4o'),
    },
    { kind: 'unknown thread', method: 'GET', path: '/v1/threads/thread_doesnotexist', headers: {} },
    {
      kind: 'run on unknown thread',
      method: 'POST',
      path: '/v1/threads/thread_nope/runs',
      headers: JSON_TYPE,
      body: json('{"assistant_id":"asst_nope"}'),
    },
    { kind: 'bad query', method: 'GET', path: '/v1/assistants?limit=abc&order=sideways', headers: {} },
    {
      kind: 'wrong types',
      method: 'POST',
      path: '/v1/assistants',
      headers: JSON_TYPE,
      body: json('{"model":123,"tools":"all"}'),
    },
    { kind: 'deep nesting', method: 'POST', path: '/v1/assistants', headers: JSON_TYPE, body: json(DEEP) },
    { kind: 'wide array', method: 'POST', path: '/v1/threads', headers: JSON_TYPE, body: json(WIDE) },
    { kind: 'no auth', method: 'GET', path: '/v1/assistants', headers: { authorization: '' } },
    {
      kind: 'broken multipart',
      method: 'POST',
      path: '/v1/files',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      body: json('--xyz\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassist'),
    },
    { kind: 'bad percent-encoding', method: 'GET', path: '/v1/assistants/%E0%A4%A', headers: {} },
    {
      kind: 'invalid UTF-8',
      method: 'POST',
      path: '/v1/threads',
      headers: JSON_TYPE,
      body: Buffer.concat([json('{"metadata":{"k":"'), Buffer.from([0xff, 0xfe, 0xc3]), json('"}}')]),
    },
    { kind: 'unknown vector store', method: 'DELETE', path: '/v1/vector_stores/vs_nope', headers: {} },
    { kind: 'null body', method: 'POST', path: '/v1/threads/runs', headers: JSON_TYPE, body: json('null') },
    { kind: 'unknown route', method: 'PATCH', path: '/v1/nothing/here', headers: JSON_TYPE, body: json('{}') },
    { kind: 'empty JSON body', method: 'POST', path: '/v1/assistants', headers: JSON_TYPE, body: json('') },
  ];
}
