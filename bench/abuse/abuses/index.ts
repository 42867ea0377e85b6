import type { Abuse } from '../abuse.js';
import type { AbuseName } from '../settings.js';
import { diskQuota } from './disk-quota.js';
import { instructions } from './instructions.js';
import { longMessage } from './long-message.js';
import { malformedBurst } from './malformed-burst.js';
import { noSpaces } from './no-spaces.js';
import { pdfPages, pdfPagesAtCap } from './pdf-pages.js';
import { tools } from './tools.js';
import { zipBomb, zipBombs4 } from './zip-bomb.js';

/** Every abuse by name; the bench runs them in ABUSE_NAMES order. */
export const ABUSES: Readonly<Record<AbuseName, Abuse>> = {
  'long-message': longMessage,
  instructions,
  tools,
  'zip-bomb': zipBomb,
  'zip-bombs-4': zipBombs4,
  'pdf-pages': pdfPages,
  'pdf-pages-5000': pdfPagesAtCap,
  'no-spaces': noSpaces,
  'disk-quota': diskQuota,
  'malformed-burst': malformedBurst,
};
