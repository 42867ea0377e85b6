/**
 * Context-window sizes (prompt + completion tokens) of well-known models, so the run engine can truncate a
 * thread for `truncation_strategy: auto`. Longest matching prefix wins, so dated snapshots
 * (`gpt-4o-2024-08-06`) and tags (`llama3.1:8b`) resolve to their family.
 */
const CONTEXT_WINDOWS: ReadonlyArray<readonly [prefix: string, tokens: number]> = [
  ['gpt-5', 400_000],
  ['gpt-4.1', 1_047_576],
  ['gpt-4.5', 128_000],
  ['gpt-4o', 128_000],
  ['gpt-4-turbo', 128_000],
  ['gpt-4-1106', 128_000],
  ['gpt-4-0125', 128_000],
  ['gpt-4-32k', 32_768],
  ['gpt-4', 8_192],
  ['gpt-3.5-turbo-instruct', 4_096],
  ['gpt-3.5-turbo', 16_385],
  ['gpt-oss', 131_072],
  ['o1-mini', 128_000],
  ['o1-preview', 128_000],
  ['o1', 200_000],
  ['o3', 200_000],
  ['o4-mini', 200_000],
  ['claude-3-5-haiku', 200_000],
  ['claude-sonnet-4', 200_000],
  ['claude-opus-4', 200_000],
  ['claude-', 200_000],
  ['gemini-1.5-pro', 2_097_152],
  ['gemini-1.5-flash', 1_048_576],
  ['gemini-2', 1_048_576],
  ['gemini-', 1_048_576],
  ['llama3.1', 131_072],
  ['llama3.2', 131_072],
  ['llama3.3', 131_072],
  ['llama-3.1', 131_072],
  ['llama-3.2', 131_072],
  ['llama-3.3', 131_072],
  ['llama3', 8_192],
  ['meta-llama/llama-3.1', 131_072],
  ['meta-llama/llama-3.3', 131_072],
  ['qwen2.5', 32_768],
  ['qwen3', 40_960],
  ['mistral-large', 131_072],
  ['mistral', 32_768],
  ['mixtral', 32_768],
  ['deepseek-', 65_536],
  ['phi3', 131_072],
  ['gemma2', 8_192],
  ['gemma3', 131_072],
];

/** Used for unknown models; small enough that truncation keeps most local models happy. */
export const DEFAULT_CONTEXT_WINDOW = 8_192;

export interface ContextWindowOptions {
  /** Size for models the table does not know. */
  readonly defaultTokens?: number;
  /** Operator-supplied sizes that take precedence over the table (same prefix rules). */
  readonly overrides?: Readonly<Record<string, number>>;
}

/** The context window of `modelId` in tokens. Matching ignores case and a leading `provider/` is tried both ways. */
export function contextWindowOf(modelId: string, options: ContextWindowOptions = {}): number {
  const normalized = modelId.toLowerCase();
  const withoutVendor = normalized.includes('/') ? normalized.slice(normalized.lastIndexOf('/') + 1) : normalized;
  const overrides = Object.entries(options.overrides ?? {}).map(
    ([prefix, tokens]) => [prefix.toLowerCase(), tokens] as const,
  );
  return (
    longestPrefixMatch(overrides, normalized) ??
    longestPrefixMatch(CONTEXT_WINDOWS, normalized) ??
    longestPrefixMatch(CONTEXT_WINDOWS, withoutVendor) ??
    options.defaultTokens ??
    DEFAULT_CONTEXT_WINDOW
  );
}

function longestPrefixMatch(table: ReadonlyArray<readonly [string, number]>, modelId: string): number | undefined {
  let best: readonly [string, number] | undefined;
  for (const entry of table) {
    if (modelId.startsWith(entry[0]) && (best === undefined || entry[0].length > best[0].length)) best = entry;
  }
  return best?.[1];
}
