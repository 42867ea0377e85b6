export { startScriptedUpstream, type ScriptedUpstream } from './scripted-upstream.js';
export {
  ControlledResponse,
  type CompletionScript,
  type ErrorScript,
  type RecordedRequest,
  type ScriptedResponse,
  type ScriptedToolCall,
  type ScriptedUsage,
  type ScriptEntry,
} from './script.js';
export { embedText } from './embeddings.js';
export { collectParts, partsOfType, textOf } from './collect.js';
