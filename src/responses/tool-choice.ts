import type { ResponseTool } from '../api/response-settings.js';
import { errors } from '../errors.js';

type NamedChoice = { type?: unknown; name?: unknown; mode?: unknown; tools?: unknown };

/**
 * Refuses a `tool_choice` that names a tool the request does not offer (a function by name, a built-in tool by type,
 * or an `allowed_tools` entry), as OpenAI does: the model could not call it, and a chat upstream would refuse it.
 */
export function requireOfferedToolChoice(choice: unknown, tools: readonly ResponseTool[]): void {
  if (!choice || typeof choice !== 'object') return;
  const named = choice as NamedChoice;
  if (named.type === 'allowed_tools') {
    const listed = Array.isArray(named.tools) ? (named.tools as NamedChoice[]) : [];
    for (const [index, tool] of listed.entries()) {
      if (!offers(tools, tool)) throw notOffered(`tool_choice.tools[${index}]`, tool);
    }
    return;
  }
  if (!offers(tools, named)) throw notOffered('tool_choice', named);
}

function offers(tools: readonly ResponseTool[], wanted: NamedChoice): boolean {
  if (wanted.type === 'function' || wanted.type === 'custom') {
    return tools.some((tool) => tool.type === wanted.type && tool.name === wanted.name);
  }
  return tools.some((tool) => tool.type === wanted.type);
}

function notOffered(param: string, wanted: NamedChoice) {
  const what =
    typeof wanted.name === 'string' ? `the ${String(wanted.type)} '${wanted.name}'` : `a '${String(wanted.type)}' tool`;
  return errors.invalidParameter(param, `it names ${what}, which is not among the request's tools`);
}
