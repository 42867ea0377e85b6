import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Run } from '../api/types.js';

/** What the gauges read at scrape time, so they show the store's state rather than this process's memory. */
export interface MetricSources {
  /** Runs of every project per status (statuses without runs may be left out). */
  runsByStatus(): Promise<Partial<Record<Run['status'], number>>>;
  /** Vector store files waiting for or in ingestion. */
  ingestionBacklog(): Promise<number>;
  /** Bytes of each project's files, as the storage quota counts them. */
  storageBytesByProject(): Promise<ReadonlyMap<string, number>>;
  /** code_interpreter sessions open in this process. */
  sandboxSessions(): number;
}

// Every status gets a series, zero included, so dashboards never see one appear out of nowhere.
const RUN_STATUSES = Object.keys({
  queued: 0,
  in_progress: 0,
  requires_action: 0,
  cancelling: 0,
  cancelled: 0,
  failed: 0,
  completed: 0,
  incomplete: 0,
  expired: 0,
} satisfies Record<Run['status'], 0>) as Run['status'][];

/** Seconds; streamed runs keep a response open for minutes, hence the long tail. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * The server's Prometheus metrics in a registry of its own (never prom-client's global one, so two servers
 * in one process do not share counters): Node's default metrics (event-loop lag, heap, CPU), HTTP requests by
 * route pattern, rate-limit rejections, and gauges over the store (README, "Metrics").
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'method' | 'route' | 'status_code'>;
  readonly #durations: Histogram<'method' | 'route' | 'status_code'>;
  readonly #rateLimited: Counter<'project' | 'class'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const labelNames = ['method', 'route', 'status_code'] as const;
    this.#requests = new Counter({
      name: 'assistants_http_requests_total',
      help: 'HTTP requests answered, by route pattern and status (not counting /metrics and /health)',
      labelNames,
      registers,
    });
    this.#durations = new Histogram({
      name: 'assistants_http_request_duration_seconds',
      help: 'Time from receiving a request to finishing its response (a stream lasts until it ends)',
      labelNames,
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#rateLimited = new Counter({
      name: 'assistants_rate_limit_rejections_total',
      help: 'Requests refused with a 429 by RATE_LIMITS, by project and request class',
      labelNames: ['project', 'class'] as const,
      registers,
    });
    registerStoreGauges(registers, sources);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status_code: String(status) };
    this.#requests.inc(labels);
    this.#durations.observe(labels, seconds);
  }

  countRateLimited(project: string, routeClass: string): void {
    this.#rateLimited.inc({ project, class: routeClass });
  }
}

function registerStoreGauges(registers: Registry[], sources: MetricSources): void {
  new Gauge({
    name: 'assistants_runs',
    help: 'Runs in the store by status, all projects',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      const counts = await sources.runsByStatus();
      for (const status of RUN_STATUSES) this.set({ status }, counts[status] ?? 0);
    },
  });
  new Gauge({
    name: 'assistants_run_queue_depth',
    help: 'Runs queued, waiting for a worker',
    registers,
    async collect() {
      this.set((await sources.runsByStatus()).queued ?? 0);
    },
  });
  new Gauge({
    name: 'assistants_ingestion_backlog',
    help: 'Vector store files in_progress: waiting for or in ingestion',
    registers,
    async collect() {
      this.set(await sources.ingestionBacklog());
    },
  });
  new Gauge({
    name: 'assistants_code_interpreter_sessions',
    help: 'code_interpreter sandbox sessions open in this process (one per thread in use)',
    registers,
    collect() {
      this.set(sources.sandboxSessions());
    },
  });
  new Gauge({
    name: 'assistants_project_storage_bytes',
    help: "Bytes of each project's files, as PROJECT_STORAGE_LIMIT_GB counts them",
    labelNames: ['project'] as const,
    registers,
    async collect() {
      const bytes = await sources.storageBytesByProject();
      // A project whose files are all gone drops out instead of lingering at its last value.
      this.reset();
      for (const [project, total] of bytes) this.set({ project }, total);
    },
  });
}
