export { type MetricSources, ServerMetrics } from './server-metrics.js';
export { storeMetricSources } from './store-metric-sources.js';
