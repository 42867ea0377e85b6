import { createRequire } from 'node:module';
import type { ChatMessage, ToolDefinition, UserContentPart } from './chat-model.js';

/**
 * Token counts in the way OpenAI bills prompts, so the run engine can truncate context and enforce
 * `max_prompt_tokens` before calling the model. Exact for OpenAI's text; an estimate for images, tool
 * definitions and other vendors' models (their tokenizers differ, but o200k is within a few percent).
 */
export interface TokenCounter {
  readonly encoding: 'o200k_base' | 'cl100k_base';
  countText(text: string): number;
  /** One message including its framing (`<|start|>role<|message|>...<|end|>`). */
  countMessage(message: ChatMessage): number;
  /** A whole prompt: every message plus the tokens that prime the assistant's reply. */
  countMessages(messages: readonly ChatMessage[]): number;
  /** Tool definitions as the upstream injects them into the prompt (estimate). */
  countTools(tools: readonly ToolDefinition[]): number;
}

interface Encoding {
  countTokens(text: string, options: { disallowedSpecial: Set<string> }): number;
}

// OpenAI cookbook, "How to count tokens with tiktoken": 3 tokens frame every message and 3 prime the reply.
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PRIMING_REPLY = 3;
const TOKENS_PER_TOOL_CALL = 3;
// OpenAI's price for one 512×512 tile at high detail plus the base; the real figure depends on image size.
const TOKENS_PER_IMAGE = 765;
// Fixed cost of the tools preamble the upstream adds (cookbook: `func_end` = 12 for gpt-4o).
const TOKENS_TOOLS_PREAMBLE = 12;

// The encodings take 0.1–0.5 s to load, so only the ones a run needs are loaded, on first use.
const require = createRequire(import.meta.url);
const loadedEncodings = new Map<string, Encoding>();

function loadEncoding(name: TokenCounter['encoding']): Encoding {
  let encoding = loadedEncodings.get(name);
  if (encoding === undefined) {
    encoding = require(`gpt-tokenizer/cjs/encoding/${name}`) as Encoding;
    loadedEncodings.set(name, encoding);
  }
  return encoding;
}

/** GPT-3.5 and the original GPT-4 use cl100k; GPT-4o and everything newer (and our guess for others) o200k. */
export function encodingForModel(modelId: string): TokenCounter['encoding'] {
  const id = modelId.toLowerCase();
  if (id.startsWith('gpt-3.5') || id.startsWith('text-embedding-')) return 'cl100k_base';
  if (id.startsWith('gpt-4') && !/^gpt-4(o|\.\d)/.test(id)) return 'cl100k_base';
  return 'o200k_base';
}

export function createTokenCounter(modelId: string): TokenCounter {
  const encodingName = encodingForModel(modelId);
  // Special-token text in user content (`<|endoftext|>`) is just text to us, not an error.
  const options = { disallowedSpecial: new Set<string>() };
  const countText = (text: string): number => (text === '' ? 0 : loadEncoding(encodingName).countTokens(text, options));

  const countContent = (content: string | readonly UserContentPart[]): number => {
    if (typeof content === 'string') return countText(content);
    return content.reduce((sum, part) => sum + (part.type === 'text' ? countText(part.text) : TOKENS_PER_IMAGE), 0);
  };

  const countMessage = (message: ChatMessage): number => {
    let tokens = TOKENS_PER_MESSAGE + countText(message.role);
    if (message.role === 'assistant') {
      tokens += countText(message.content ?? '');
      for (const call of message.toolCalls ?? []) {
        tokens += TOKENS_PER_TOOL_CALL + countText(call.name) + countText(call.arguments);
      }
    } else {
      tokens += countContent(message.content);
    }
    return tokens;
  };

  return Object.freeze({
    encoding: encodingName,
    countText,
    countMessage,
    countMessages: (messages: readonly ChatMessage[]) =>
      messages.reduce((sum, message) => sum + countMessage(message), TOKENS_PRIMING_REPLY),
    countTools: (tools: readonly ToolDefinition[]) =>
      tools.length === 0
        ? 0
        : tools.reduce((sum, tool) => sum + countText(JSON.stringify(tool)), TOKENS_TOOLS_PREAMBLE),
  });
}
