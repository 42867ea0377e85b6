import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';

/** The ceiling: the least a persistent Python kernel can do per call (exec, capture stdout, reply). */
const BARE_DRIVER = [
  'import sys, json, io, contextlib',
  'namespace = {}',
  'for line in sys.stdin:',
  '    buffer = io.StringIO()',
  '    with contextlib.redirect_stdout(buffer):',
  '        exec(json.loads(line)["code"], namespace)',
  '    sys.stdout.write(json.dumps({"logs": buffer.getvalue()}) + "\\n")',
  '    sys.stdout.flush()',
].join('\n');

export interface Kernel {
  call(code: string): Promise<string>;
  close(): Promise<void>;
}

export class BareKernel implements Kernel {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: Interface;
  readonly #waiting: Array<(line: string) => void> = [];

  constructor() {
    this.#child = spawn('/usr/bin/python3', ['-u', '-c', BARE_DRIVER]);
    this.#lines = createInterface({ input: this.#child.stdout });
    this.#lines.on('line', (line) => this.#waiting.shift()?.(line));
  }

  call(code: string): Promise<string> {
    return new Promise((resolve) => {
      this.#waiting.push((line) => resolve((JSON.parse(line) as { logs: string }).logs));
      this.#child.stdin.write(`${JSON.stringify({ code })}\n`);
    });
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.#child.once('close', resolve));
    this.#child.stdin.end();
    await exited;
  }
}
