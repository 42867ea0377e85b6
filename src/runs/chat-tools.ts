import type { Run } from '../api/types.js';
import type { ResponseFormat, ToolChoice, ToolDefinition } from '../providers/index.js';

/** The run's function tools as the model sees them. Built-in tools join here as they are implemented. */
export function toToolDefinitions(run: Run): ToolDefinition[] {
  return run.tools.flatMap((tool): ToolDefinition[] => {
    if (tool.type !== 'function') return [];
    const { name, description, parameters, strict } = tool.function;
    return [
      {
        name,
        ...(description === undefined ? {} : { description }),
        parameters: parameters ?? { type: 'object', properties: {} },
        ...(strict === undefined || strict === null ? {} : { strict }),
      },
    ];
  });
}

export function toToolChoice(choice: Run['tool_choice']): ToolChoice | undefined {
  if (choice === null || choice === undefined) return undefined;
  if (typeof choice === 'string') return choice;
  if (choice.type === 'function' && choice.function) return { name: choice.function.name };
  // Built-in tools are offered as functions of their type's name: naming one makes the model call that one.
  if (choice.type === 'file_search' || choice.type === 'code_interpreter') return { name: choice.type };
  return 'required';
}

export function toResponseFormat(format: Run['response_format']): ResponseFormat | undefined {
  if (format === null || format === undefined || format === 'auto') return undefined;
  switch (format.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const { name, schema, strict, description } = format.json_schema;
      return {
        type: 'json_schema',
        name,
        schema: (schema ?? { type: 'object' }) as Record<string, unknown>,
        ...(strict === undefined || strict === null ? {} : { strict }),
        ...(description === undefined ? {} : { description }),
      };
    }
  }
}
