/**
 * Decodes one string field of a JSON object while the object is still arriving, so a tool's code
 * can be streamed to clients as the model writes its arguments (`{"code": "import pandas..."}`).
 * Feed argument deltas to `push`; it returns the newly decoded part of the field's value.
 * Deliberately small: it looks for the first `"<field>"` key and decodes the string that follows.
 */
export class JsonStringFieldStream {
  #buffer = '';
  #state: 'seeking' | 'inside' | 'done' = 'seeking';
  #position = 0;

  constructor(private readonly field: string) {}

  push(delta: string): string {
    this.#buffer += delta;
    if (this.#state === 'seeking') {
      const match = new RegExp(`"${this.field}"\\s*:\\s*"`).exec(this.#buffer);
      if (!match) return '';
      this.#state = 'inside';
      this.#position = match.index + match[0].length;
    }
    if (this.#state !== 'inside') return '';
    let out = '';
    while (this.#position < this.#buffer.length) {
      const char = this.#buffer[this.#position]!;
      if (char === '"') {
        this.#state = 'done';
        break;
      }
      if (char !== '\\') {
        out += char;
        this.#position += 1;
        continue;
      }
      const decoded = this.#decodeEscape(this.#position);
      if (decoded === undefined) break; // incomplete escape: wait for more input
      out += decoded.text;
      this.#position += decoded.length;
    }
    return out;
  }

  #decodeEscape(at: number): { text: string; length: number } | undefined {
    const next = this.#buffer[at + 1];
    if (next === undefined) return undefined;
    if (next === 'u') {
      const hex = this.#buffer.slice(at + 2, at + 6);
      if (hex.length < 4) return undefined;
      return { text: String.fromCharCode(Number.parseInt(hex, 16)), length: 6 };
    }
    const simple: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      b: '\b',
      f: '\f',
      '"': '"',
      '\\': '\\',
      '/': '/',
    };
    return { text: simple[next] ?? next, length: 2 };
  }
}
