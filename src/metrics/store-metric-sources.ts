import type { Store } from '../store/store.js';
import type { MetricSources } from './server-metrics.js';

/** The gauges' sources over the store; `sandboxSessions` comes from the process that holds them. */
export function storeMetricSources(store: Store, sandboxSessions: () => number): MetricSources {
  return {
    runsByStatus: () => store.runs.countByStatus(),
    ingestionBacklog: () => store.vectorStores.countFilesInProgress(),
    storageBytesByProject: () => store.files.bytesByProject(),
    sandboxSessions,
  };
}
