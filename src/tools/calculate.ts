import { evaluate, MAX_EXPRESSION_LENGTH } from './arithmetic.ts';
import { defineTool } from './tool.ts';

/** Arithmetic for the model, through a parser that accepts nothing else. */
export const calculate = defineTool<{ expression: string }>({
  name: 'calculate',
  description:
    'Evaluates an arithmetic expression exactly as written: numbers, + - * / % ^ (power), parentheses, unary minus, constants pi and e, and the functions sqrt, abs, round, floor, ceil, ln, log10, sin, cos, tan, min, max.',
  parameters: {
    type: 'object',
    properties: {
      expression: { type: 'string', minLength: 1, maxLength: MAX_EXPRESSION_LENGTH, description: 'e.g. "(2 + 3) * sqrt(16) ^ 2"' },
    },
    required: ['expression'],
    additionalProperties: false,
  },
  hosts: [],
  execute: ({ expression }) => ({ expression, result: evaluate(expression) }),
});
