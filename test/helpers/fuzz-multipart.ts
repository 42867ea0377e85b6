import type { FuzzCase, FuzzOperation } from './fuzz-cases.js';
import { AUTH, HOSTILE_STRINGS } from './fuzz-values.js';
import type { SeededRandom } from './seeded-random.js';

const CRLF = '\r\n';

/** Hand-built multipart forms: fields missing, doubled, mistyped, hostile names, truncated bodies. */
export function multipartCases(operation: FuzzOperation, path: string, random: SeededRandom): FuzzCase[] {
  const fileField = operation.operationId === 'createFile' ? 'file' : 'data';
  const purpose: Array<[string, string]> = operation.operationId === 'createFile' ? [['purpose', 'assistants']] : [];
  const file = (filename: string) => ({ name: fileField, filename, content: 'hello' });
  const forms: Array<[string, Part[]]> = [
    ['no parts', []],
    ['no file', purpose],
    ['file as a text field', [...purpose, [fileField, 'hello']]],
    ['unknown field', [...purpose, file('a.txt'), ['colour', 'blue']]],
    ['two files', [...purpose, file('a.txt'), file('b.txt')]],
    ['1 MB field', [['purpose', 'x'.repeat(1 << 20)], file('a.txt')]],
    ['1 MB file name', [...purpose, file('n'.repeat(1 << 20))]],
    [
      'expires_after junk',
      [...purpose, file('a.txt'), ['expires_after[anchor]', 'now'], ['expires_after[seconds]', '-1']],
    ],
    ['expires_after object', [...purpose, file('a.txt'), ['expires_after', '{"anchor":"created_at"}']]],
    ...HOSTILE_STRINGS.map((text): [string, Part[]] => [
      `purpose=${JSON.stringify(text)}`,
      [['purpose', text], file('a.txt')],
    ]),
    ...HOSTILE_STRINGS.map((text): [string, Part[]] => [`filename=${JSON.stringify(text)}`, [...purpose, file(text)]]),
    ['random file name', [...purpose, file(random.unicode(24))]],
  ];
  const boundary = 'fuzzboundary';
  const cases: FuzzCase[] = forms.map(([label, parts]) => ({
    operationId: operation.operationId,
    kind: 'body-string',
    label,
    request: {
      method: 'POST',
      path,
      headers: { ...AUTH, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: encodeForm(parts, boundary),
    },
  }));
  const complete = encodeForm([...purpose, file('a.txt')], boundary);
  const raw: Array<[string, Buffer | string, string]> = [
    ['truncated form', complete.subarray(0, complete.length - 10), `multipart/form-data; boundary=${boundary}`],
    ['no boundary', complete, 'multipart/form-data'],
    ['wrong boundary', complete, 'multipart/form-data; boundary=other'],
    ['JSON instead of a form', '{"purpose":"assistants"}', 'application/json'],
    ['random bytes', random.bytes(512), `multipart/form-data; boundary=${boundary}`],
    [
      'invalid UTF-8 file name',
      Buffer.concat([
        Buffer.from(`--${boundary}${CRLF}Content-Disposition: form-data; name="${fileField}"; filename="`),
        Buffer.from([0xff, 0xc0, 0xaf]),
        Buffer.from(`"${CRLF}${CRLF}hello${CRLF}--${boundary}--${CRLF}`),
      ]),
      `multipart/form-data; boundary=${boundary}`,
    ],
  ];
  for (const [label, body, contentType] of raw) {
    cases.push({
      operationId: operation.operationId,
      kind: 'body-junk',
      label,
      request: { method: 'POST', path, headers: { ...AUTH, 'content-type': contentType }, body },
    });
  }
  return cases;
}

/** A text field `[name, value]`, or a file part. */
type Part = [string, string] | { name: string; filename: string; content: string };

function encodeForm(parts: readonly Part[], boundary: string): Buffer {
  const chunks = parts.map((part) => {
    const disposition = Array.isArray(part)
      ? `form-data; name="${part[0]}"`
      : `form-data; name="${part.name}"; filename="${part.filename.replace(/["\r\n]/g, '_')}"`;
    const type = Array.isArray(part) ? '' : `Content-Type: text/plain${CRLF}`;
    const content = Array.isArray(part) ? part[1] : part.content;
    return `--${boundary}${CRLF}Content-Disposition: ${disposition}${CRLF}${type}${CRLF}${content}${CRLF}`;
  });
  return Buffer.from(`${chunks.join('')}--${boundary}--${CRLF}`, 'utf8');
}
