import { readFileSync } from 'node:fs';

/*
 * Where the event loop was blocked: the stretches of a `.cpuprofile` (BENCH_CPU_PROF) busy for at least
 * <min ms> without a break, each with the frames that held most of it. A slow /health is one of these.
 *
 *   node --import tsx bench/abuse/long-tasks.ts /tmp/abuse-prof/<pid>.cpuprofile [min ms] [frames]
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

/** A pause shorter than this does not end a stretch: the loop had no time to answer anything. */
const JOIN_GAP_MICROS = 1_000;
const IDLE = new Set(['(idle)', '(program)']);

interface Stretch {
  startMicros: number;
  endMicros: number;
  /** Sampled micros per frame on the stack (each frame counted once per sample). */
  frames: Map<string, number>;
}

export function longTasks(profile: CpuProfile, minMs: number): Stretch[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stretches: Stretch[] = [];
  let current: Stretch | undefined;
  let idleSince = 0;
  let now = 0;
  profile.samples.forEach((nodeId, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    now += delta;
    const node = byId.get(nodeId)!;
    if (IDLE.has(node.callFrame.functionName)) {
      if (current && now - idleSince > JOIN_GAP_MICROS) {
        if (current.endMicros - current.startMicros >= minMs * 1000) stretches.push(current);
        current = undefined;
      }
      return;
    }
    idleSince = now;
    current ??= { startMicros: now - delta, endMicros: now, frames: new Map() };
    current.endMicros = now;
    const seen = new Set<string>();
    for (let id: number | undefined = nodeId; id !== undefined; id = parent.get(id)) {
      const label = frameLabel(byId.get(id)!);
      if (seen.has(label)) continue;
      seen.add(label);
      current.frames.set(label, (current.frames.get(label) ?? 0) + delta);
    }
  });
  return stretches;
}

function frameLabel(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^file:\/\/.*?\/(src|bench|test|node_modules)\//, '$1/');
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

/** Our own frames (src/) first: they say which feature blocked; then the heaviest frames of any origin. */
function describe(stretch: Stretch, frames: number): string {
  const total = stretch.endMicros - stretch.startMicros;
  const ranked = [...stretch.frames]
    .filter(([label]) => !label.startsWith('(root)') && !label.startsWith('processTicksAndRejections'))
    .sort((left, right) => right[1] - left[1]);
  const ours = ranked.filter(([label]) => label.includes(' src/')).slice(0, frames);
  const any = ranked.filter(([label]) => !label.includes(' src/')).slice(0, frames);
  const line = ([label, micros]: [string, number]): string =>
    `    ${((100 * micros) / total).toFixed(0).padStart(3)}%  ${label}`;
  return [
    `at ${(stretch.startMicros / 1e6).toFixed(3)} s: ${(total / 1000).toFixed(1)} ms busy`,
    ...ours.map(line),
    ...any.map(line),
  ].join('\n');
}

if (import.meta.filename === process.argv[1]) {
  const [file, minText, framesText] = process.argv.slice(2);
  if (!file) throw new Error('usage: long-tasks.ts <file.cpuprofile> [min ms] [frames]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const stretches = longTasks(profile, Number(minText ?? 30));
  for (const stretch of stretches) console.log(describe(stretch, Number(framesText ?? 4)));
  console.log(`${stretches.length} stretch(es) of at least ${minText ?? 30} ms`);
}
