import { errors } from '../errors.js';
import { type Query, singleQueryValue } from './query-params.js';

/**
 * The `api-version`s under which Azure OpenAI served the Assistants API, oldest first: every inference preview from
 * 2024-02-15-preview, which added Assistants, to 2025-04-01-preview, the last before Azure's version-less v1 API
 * (Azure's "API version lifecycle" page lists them; each has the Assistants paths in Azure/azure-rest-api-specs,
 * specification/cognitiveservices/data-plane/AzureOpenAI/inference/preview/). The first three served Assistants
 * v1; the SDKs still in use send v2 bodies, which is all this server speaks. No GA version (2024-02-01,
 * 2024-06-01, 2024-10-21) had Assistants, so Azure refused them there and no working code sends them.
 */
export const AZURE_ASSISTANTS_API_VERSIONS = [
  '2024-02-15-preview',
  '2024-03-01-preview',
  '2024-04-01-preview',
  '2024-05-01-preview',
  '2024-07-01-preview',
  '2024-08-01-preview',
  '2024-09-01-preview',
  '2024-10-01-preview',
  '2024-12-01-preview',
  '2025-01-01-preview',
  '2025-02-01-preview',
  '2025-03-01-preview',
  '2025-04-01-preview',
] as const;

export type AzureApiVersion = (typeof AZURE_ASSISTANTS_API_VERSIONS)[number];

const NEWEST: AzureApiVersion = AZURE_ASSISTANTS_API_VERSIONS.at(-1)!;
const SUPPORTED: ReadonlySet<string> = new Set(AZURE_ASSISTANTS_API_VERSIONS);

/**
 * The `api-version` a request under `/openai` asked for. Azure required one; here a missing one means the newest,
 * so hand-written clients need not send it. Any other value is refused as Azure refused it: answering under a
 * version a client never tested against would hide its mistake.
 */
export function azureApiVersion(query: Query): AzureApiVersion {
  const value = singleQueryValue(query, 'api-version', (got) => errors.invalidType('api-version', 'a string', got));
  if (value === undefined) return NEWEST;
  if (!SUPPORTED.has(value)) throw errors.unsupportedApiVersion(value, AZURE_ASSISTANTS_API_VERSIONS);
  return value as AzureApiVersion;
}
