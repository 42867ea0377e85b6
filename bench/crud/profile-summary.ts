import { readFileSync } from 'node:fs';

/**
 * Prints where a `.cpuprofile` spent its time: the functions with the most self time, and self
 * time summed per package or source file, and inclusive time per function.
 * Usage: `node --import tsx bench/crud/profile-summary.ts <file> [top] [skip-seconds]`; skip-seconds
 * drops the start-up (module loading, schema compilation) from the figures.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Samples the process spent waiting, not working; percentages are of the rest (busy time). */
const NOT_BUSY = new Set(['(idle)', '(program)']);

export function summarizeProfile(profile: CpuProfile & { skipMicros?: number }, top: number): string {
  const selfMicros = selfTimes(profile);
  const nodesById = new Map(profile.nodes.map((node) => [node.id, node]));
  let busy = 0;
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const visit = (node: ProfileNode, onStack: ReadonlySet<string>): number => {
    const name = functionLabel(node);
    let micros = selfMicros.get(node.id) ?? 0;
    const stack = new Set(onStack).add(name);
    for (const childId of node.children ?? []) micros += visit(nodesById.get(childId)!, stack);
    // Count a recursive function's time once, at its outermost frame.
    if (!onStack.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
    return micros;
  };
  visit(profile.nodes[0]!, new Set());
  for (const node of profile.nodes) {
    const micros = selfMicros.get(node.id) ?? 0;
    if (NOT_BUSY.has(node.callFrame.functionName)) continue;
    busy += micros;
    const name = functionLabel(node);
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    const source = origin(node.callFrame.url, node.callFrame.functionName);
    byOrigin.set(source, (byOrigin.get(source) ?? 0) + micros);
  }
  return [
    `busy time sampled: ${(busy / 1e6).toFixed(2)} s (idle excluded; percentages are of busy time)`,
    '',
    'self time by package or file:',
    ...ranked(byOrigin, busy, top),
    '',
    'self time by function:',
    ...ranked(byFunction, busy, top),
    '',
    'inclusive time (self + callees) by function:',
    ...ranked(inclusive, busy, top, (name) => !name.startsWith('(root)') && !NOT_BUSY.has(name.split(' ')[0]!)),
  ].join('\n');
}

/** Self time per node, skipping samples taken before `skipSeconds` (start-up). */
function selfTimes(profile: CpuProfile & { skipMicros?: number }): Map<number, number> {
  const selfMicros = new Map<number, number>();
  let elapsed = 0;
  profile.samples.forEach((nodeId, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    elapsed += delta;
    if (elapsed < (profile.skipMicros ?? 0)) return;
    selfMicros.set(nodeId, (selfMicros.get(nodeId) ?? 0) + delta);
  });
  return selfMicros;
}

function functionLabel(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
}

function ranked(
  entries: Map<string, number>,
  total: number,
  top: number,
  keep: (name: string) => boolean = () => true,
): string[] {
  return [...entries]
    .filter(([name]) => keep(name))
    .sort((left, right) => right[1] - left[1])
    .slice(0, top)
    .map(([name, micros]) => `  ${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`);
}

function origin(url: string, functionName: string): string {
  if (url === '') return `(native) ${functionName}`;
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1]!;
  if (url.startsWith('node:')) return 'node internals';
  return shortUrl(url);
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\/.*?\/(src|bench|test|node_modules)\//, '$1/');
}

if (import.meta.filename === process.argv[1]) {
  const [file, top, skipSeconds] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top] [skip-seconds]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  console.log(summarizeProfile({ ...profile, skipMicros: Number(skipSeconds ?? 0) * 1e6 }, Number(top ?? 25)));
}
