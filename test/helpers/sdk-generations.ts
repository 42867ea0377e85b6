import type { SdkGeneration } from './sdk-adapter.js';
import { openaiV4 } from './sdk-adapter-v4.js';
import { openaiV4_46 } from './sdk-adapter-v4-46.js';
import { openaiV5 } from './sdk-adapter-v5.js';
import { openaiV7 } from './sdk-adapter-v7.js';

/**
 * The SDK generations apps still run, oldest first: 4.46 (what OpenAI's Next.js assistants quickstart locks), the
 * last 4.x, the last 5.x (LangChain 0.3's) and the 7.x the rest of the suite uses. The older ones are installed
 * side by side as npm aliases (`openai-v4-46`, `openai-v4`, `openai-v5`).
 */
export const SDK_GENERATIONS: readonly SdkGeneration[] = [openaiV4_46, openaiV4, openaiV5, openaiV7];
