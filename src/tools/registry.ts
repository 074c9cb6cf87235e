// The server-side tools a deployment offers. Adding a tool: write its file, add it to BUILT_IN_TOOLS.
import { Validator, type Schema } from '@cfworker/json-schema';
import { calculate } from './calculate.ts';
import { getCurrentTime } from './get-current-time.ts';
import { getWeather } from './get-weather.ts';
import type { Tool } from './tool.ts';

/** Every tool the gateway ships; one line per tool. */
export const BUILT_IN_TOOLS: readonly Tool[] = [getWeather, getCurrentTime, calculate];

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** A tool with its argument validator compiled once. */
export interface RegisteredTool {
  readonly tool: Tool;
  /** Undefined when the arguments fit the schema, else what is wrong with them. */
  readonly check: (args: unknown) => string | undefined;
}

/** A `tools` entry of a chat request, as the model is shown a function. */
export interface FunctionDefinition {
  readonly type: 'function';
  readonly function: { readonly name: string; readonly description: string; readonly parameters: Record<string, unknown> };
}

/** The tools by name, each with its compiled schema. */
export class ToolRegistry {
  readonly #tools = new Map<string, RegisteredTool>();

  constructor(tools: readonly Tool[] = BUILT_IN_TOOLS) {
    for (const tool of tools) {
      if (!NAME.test(tool.name))
        throw new Error(`Tool name "${tool.name}" is not a valid function name (letters, digits, _ and -, up to 64).`);
      if (this.#tools.has(tool.name)) throw new Error(`Two tools are named "${tool.name}".`);
      this.#tools.set(tool.name, { tool, check: checker(tool.parameters as Schema) });
    }
  }

  get(name: string): RegisteredTool | undefined {
    return this.#tools.get(name);
  }

  names(): string[] {
    return [...this.#tools.keys()];
  }

  /** The `tools` entries the model is shown for these names (all known: check them first). */
  definitions(names: readonly string[]): FunctionDefinition[] {
    return names.map((name) => {
      const { tool } = this.#tools.get(name) ?? unknown(name);
      return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
    });
  }
}

function unknown(name: string): never {
  throw new Error(`No tool named "${name}" is registered.`);
}

function checker(schema: Schema): RegisteredTool['check'] {
  const validator = new Validator(schema, '2020-12', false);
  return (args) => {
    const { valid, errors } = validator.validate(args);
    if (valid) return undefined;
    // The innermost errors say what is wrong; the outer ones only repeat "properties did not match".
    const leaves = errors.filter(
      (e) => !errors.some((other) => other !== e && other.instanceLocation.startsWith(`${e.instanceLocation}/`)),
    );
    return (leaves.length > 0 ? leaves : errors)
      .slice(0, 3)
      .map((e) => `${e.instanceLocation.replace(/^#/, '') || '/'}: ${e.error}`)
      .join('; ');
  };
}
