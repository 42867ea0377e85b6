// Copies the non-TypeScript files the server loads at run time into dist/ (tsc only emits .js).
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const assets = ['tools/code-interpreter/kernel.py'];
for (const asset of assets) {
  const target = path.join('dist', asset);
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(path.join('src', asset), target);
}
