/**
 * The classes of requests OpenAI's Assistants API limited separately: `runs` is creating a run
 * (`POST /threads/{id}/runs` and `POST /threads/runs`), `post` every other POST.
 */
export const ROUTE_CLASSES = ['get', 'post', 'runs', 'delete'] as const;
export type RouteClass = (typeof ROUTE_CLASSES)[number];

/** Requests per window for each class; a class left out is not limited. */
export type ClassLimits = Readonly<Partial<Record<RouteClass, number>>>;

export interface RateLimitSettings {
  /** The window the numbers count over, in ms (OpenAI: a minute). */
  readonly windowMs: number;
  /** Limits for every project without an entry in `projects`. */
  readonly defaults: ClassLimits;
  /** Per-project limits, already merged over `defaults`. */
  readonly projects: ReadonlyMap<string, ClassLimits>;
}

/** The numbers of OpenAI's Assistants API FAQ, per minute. */
export const OPENAI_LIMITS: ClassLimits = Object.freeze({ get: 1000, post: 300, runs: 200, delete: 300 });

const MINUTE_MS = 60_000;
const MAX_WINDOW_SECONDS = 86_400;

/**
 * `RATE_LIMITS`: unset or `off` (no limits), `openai` (OpenAI's numbers for every project), inline JSON,
 * or the path of a JSON file. The JSON (README, "Rate limits"):
 * `{ "window_seconds": 60, "defaults": "openai" | "off" | {get,post,runs,delete}, "projects": {name: same} }`.
 * A number is requests per window, `null` no limit; a class a project leaves out keeps the default's.
 */
export function parseRateLimits(
  raw: string | undefined,
  readFile: (path: string) => string,
): RateLimitSettings | undefined {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'off') return undefined;
  if (value === 'openai') return Object.freeze({ windowMs: MINUTE_MS, defaults: OPENAI_LIMITS, projects: new Map() });
  const text = value.startsWith('{') ? value : readFile(value);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`not valid JSON: ${(error as Error).message}`);
  }
  return fromJson(json);
}

function fromJson(json: unknown): RateLimitSettings {
  if (!isObject(json)) throw new Error('expected a JSON object');
  const unknown = Object.keys(json).find((key) => !['window_seconds', 'defaults', 'projects'].includes(key));
  if (unknown !== undefined) throw new Error(`unknown field '${unknown}'`);
  const windowSeconds = json.window_seconds ?? 60;
  if (typeof windowSeconds !== 'number' || !(windowSeconds > 0 && windowSeconds <= MAX_WINDOW_SECONDS)) {
    throw new Error(`'window_seconds' must be a number above 0 and at most ${MAX_WINDOW_SECONDS}`);
  }
  const defaults = classLimits(json.defaults ?? 'off', {}, 'defaults');
  const projects = new Map<string, ClassLimits>();
  const projectEntries = json.projects ?? {};
  if (!isObject(projectEntries)) throw new Error("'projects' must be an object of project names");
  for (const [project, limits] of Object.entries(projectEntries)) {
    projects.set(project, classLimits(limits, defaults, `projects.${project}`));
  }
  return Object.freeze({ windowMs: windowSeconds * 1000, defaults, projects });
}

/** `"openai"`, `"off"`, or an object of classes over `base`, where `null` lifts the base's limit. */
function classLimits(value: unknown, base: ClassLimits, where: string): ClassLimits {
  if (value === 'openai') return OPENAI_LIMITS;
  if (value === 'off') return Object.freeze({});
  if (!isObject(value)) throw new Error(`'${where}' must be "openai", "off" or an object of request classes`);
  const limits: Partial<Record<RouteClass, number>> = { ...base };
  for (const [name, limit] of Object.entries(value)) {
    if (!(ROUTE_CLASSES as readonly string[]).includes(name)) {
      throw new Error(`'${where}.${name}' is not a request class (${ROUTE_CLASSES.join(', ')})`);
    }
    const routeClass = name as RouteClass;
    if (limit === null) {
      delete limits[routeClass];
    } else if (typeof limit === 'number' && Number.isInteger(limit) && limit >= 1) {
      limits[routeClass] = limit;
    } else {
      throw new Error(`'${where}.${name}' must be a whole number of requests (at least 1) or null`);
    }
  }
  return Object.freeze(limits);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The limit for one class of a project's requests, or undefined when it is not limited. */
export function limitFor(settings: RateLimitSettings, project: string, routeClass: RouteClass): number | undefined {
  return (settings.projects.get(project) ?? settings.defaults)[routeClass];
}
