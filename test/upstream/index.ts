export { collectParts, partsOfType, textOf } from './collect.js';
export { embedText } from './embeddings.js';
export {
  type CompletionScript,
  ControlledResponse,
  type ErrorScript,
  type RecordedRequest,
  type ScriptEntry,
  type ScriptedResponse,
  type ScriptedToolCall,
  type ScriptedUsage,
} from './script.js';
export { type ScriptedUpstream, startScriptedUpstream } from './scripted-upstream.js';
