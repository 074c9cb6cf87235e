import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.ts';
import { checkOpenAiChatFields, findOpenAiChatFieldProblem } from '../../src/wire/openai-chat/request.ts';
import { call, chatBody, mockCalls } from './support/gateway.ts';

const user = { role: 'user', content: 'Hello' };
const base = { model: 'openai/gpt-4o-mini', messages: [user] };

/** The 400 the checker throws for a body, or null when it passes. */
function rejection(body: Record<string, unknown>): GatewayError | null {
  try {
    checkOpenAiChatFields(body);
    return null;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
}

describe('checkOpenAiChatFields', () => {
  it('passes a full valid request, and fields it does not know', () => {
    const body = {
      model: 'openai/gpt-4o-mini',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'system', content: [{ type: 'text', text: 'Answer in English.' }] },
        {
          role: 'user',
          name: 'ada',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'It is 21°C.' },
            { type: 'refusal', refusal: 'No more.' },
          ],
        },
        { role: 'function', name: 'old_style', content: null },
      ],
      temperature: 0.7,
      top_p: 1,
      n: 1,
      presence_penalty: -2,
      frequency_penalty: 2,
      logprobs: true,
      top_logprobs: 20,
      max_tokens: 100,
      max_completion_tokens: 200,
      seed: -42,
      stream: true,
      stream_options: { include_usage: true },
      stop: ['\n', 'END'],
      reasoning_effort: 'low',
      service_tier: 'auto',
      modalities: ['text'],
      verbosity: 'medium',
      logit_bias: { '50256': -100 },
      metadata: { team: 'web' },
      user: 'u-1',
      store: false,
      parallel_tool_calls: false,
      tools: [
        { type: 'function', function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object' }, strict: true } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
      models: ['groq/llama-3.3-70b-versatile'],
      mock: { anything: 1 },
      x_vendor_field: [1, 2],
    };
    expect(rejection(body)).toBeNull();
  });

  it('accepts null for every nullable field, as OpenAI does', () => {
    const nulls = Object.fromEntries(
      [
        'temperature',
        'top_p',
        'n',
        'max_tokens',
        'seed',
        'stop',
        'stream',
        'logprobs',
        'reasoning_effort',
        'tools',
        'tool_choice',
        'response_format',
        'stream_options',
      ].map((k) => [k, null]),
    );
    expect(rejection({ ...base, ...nulls })).toBeNull();
  });

  it("names max_tokens sent as a string, in OpenAI's words", () => {
    const error = rejection({ ...base, max_tokens: '100' });
    expect(error?.status).toBe(400);
    expect(error?.param).toBe('max_tokens');
    expect(error?.code).toBe('invalid_type');
    expect(error?.message).toBe("Invalid type for 'max_tokens': expected an integer, but got a string instead.");
  });

  it.each([
    [{ temperature: '0.7' }, 'temperature', 'invalid_type', 'expected a number, but got a string'],
    [{ temperature: 2.5 }, 'temperature', 'invalid_value', 'Expected a value <= 2, but got 2.5'],
    [{ top_p: -0.1 }, 'top_p', 'invalid_value', 'Expected a value >= 0'],
    [{ n: 0 }, 'n', 'invalid_value', 'integer below minimum value'],
    [{ n: 1.5 }, 'n', 'invalid_type', 'expected an integer, but got a decimal'],
    [{ presence_penalty: 3 }, 'presence_penalty', 'invalid_value', '<= 2'],
    [{ frequency_penalty: -2.1 }, 'frequency_penalty', 'invalid_value', '>= -2'],
    [{ logprobs: 'true' }, 'logprobs', 'invalid_type', 'expected a boolean'],
    [{ top_logprobs: 21 }, 'top_logprobs', 'invalid_value', '<= 20'],
    [{ max_tokens: 0 }, 'max_tokens', 'invalid_value', '>= 1'],
    [{ max_completion_tokens: 12.5 }, 'max_completion_tokens', 'invalid_type', 'expected an integer'],
    [{ seed: '42' }, 'seed', 'invalid_type', 'expected an integer'],
    [{ stream: 'yes' }, 'stream', 'invalid_type', 'expected a boolean'],
    [{ stream_options: { include_usage: 1 } }, 'stream_options.include_usage', 'invalid_type', 'expected a boolean'],
    [
      { reasoning_effort: 'extreme' },
      'reasoning_effort',
      'invalid_value',
      "Invalid value: 'extreme'. Supported values are: 'none', 'minimal'",
    ],
    [{ service_tier: 'gold' }, 'service_tier', 'invalid_value', "'flex'"],
    [{ modalities: ['text', 'video'] }, 'modalities[1]', 'invalid_value', "'text' and 'audio'"],
    [{ stop: 5 }, 'stop', 'invalid_type', 'expected one of a string or array of strings, but got an integer'],
    [{ stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', 'invalid_value', 'array too long'],
    [{ stop: ['a', 3] }, 'stop[1]', 'invalid_type', 'expected a string'],
    [{ tools: { type: 'function' } }, 'tools', 'invalid_type', 'expected an array, but got an object'],
    [{ tools: [{ type: 'retrieval' }] }, 'tools[0].type', 'invalid_value', "'function' and 'custom'"],
    [
      { tools: [{ type: 'function', function: { description: 'x' } }] },
      'tools[0].function.name',
      'missing_field',
      "Missing required parameter: 'tools[0].function.name'.",
    ],
    [
      { tools: [{ type: 'function', function: { name: 'f', parameters: '{}' } }] },
      'tools[0].function.parameters',
      'invalid_type',
      'expected an object',
    ],
    [{ tool_choice: 'any' }, 'tool_choice', 'invalid_value', "'none', 'auto', and 'required'"],
    [{ tool_choice: { type: 'function', function: {} } }, 'tool_choice.function.name', 'missing_field', 'Missing required parameter'],
    [{ response_format: { type: 'json' } }, 'response_format.type', 'invalid_value', "'text', 'json_schema', and 'json_object'"],
    [
      { response_format: { type: 'json_schema', json_schema: { schema: {} } } },
      'response_format.json_schema.name',
      'missing_field',
      'Missing required parameter',
    ],
    [{ response_format: 'json_object' }, 'response_format', 'invalid_type', 'expected an object, but got a string'],
    [{ logit_bias: { '50256': 'ban' } }, 'logit_bias.50256', 'invalid_type', 'expected an integer'],
    [{ metadata: { team: 1 } }, 'metadata.team', 'invalid_type', 'expected a string'],
    [{ model: 4 }, 'model', 'invalid_type', 'expected a string'],
  ] as const)('names the field of %j', (fields, param, code, text) => {
    const error = rejection({ ...base, ...fields });
    expect(error?.status).toBe(400);
    expect(error?.param).toBe(param);
    expect(error?.code).toBe(code);
    expect(error?.message).toContain(text);
  });

  it.each([
    [{ messages: undefined }, 'messages', 'missing_field'],
    [{ messages: [] }, 'messages', 'invalid_value'],
    [{ messages: 'Hello' }, 'messages', 'invalid_type'],
    [{ messages: ['Hello'] }, 'messages[0]', 'invalid_type'],
    [{ messages: [{ content: 'Hello' }] }, 'messages[0].role', 'missing_field'],
    [{ messages: [{ role: 'bot', content: 'Hello' }] }, 'messages[0].role', 'invalid_value'],
    [{ messages: [{ role: 'user' }] }, 'messages[0].content', 'missing_field'],
    [{ messages: [{ role: 'user', content: 42 }] }, 'messages[0].content', 'invalid_type'],
    [{ messages: [{ role: 'user', content: null }] }, 'messages[0].content', 'invalid_type'],
    [{ messages: [{ role: 'user', content: [] }] }, 'messages[0].content', 'invalid_value'],
    [{ messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'messages[0].content[0].text', 'missing_field'],
    [{ messages: [{ role: 'user', content: [{ type: 'video', url: 'x' }] }] }, 'messages[0].content[0].type', 'invalid_value'],
    [
      { messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] },
      'messages[0].content[0].type',
      'invalid_value',
    ],
    [
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: 'https://x' }] }] },
      'messages[0].content[0].image_url',
      'invalid_type',
    ],
    [{ messages: [user, { role: 'tool', content: '21' }] }, 'messages[1].tool_call_id', 'missing_field'],
    [{ messages: [user, { role: 'assistant', content: 7 }] }, 'messages[1].content', 'invalid_type'],
    [
      {
        messages: [user, { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: { a: 1 } } }] }],
      },
      'messages[1].tool_calls[0].function.arguments',
      'invalid_type',
    ],
    [{ messages: [{ role: 'function', content: 'x' }] }, 'messages[0].name', 'missing_field'],
    [{ messages: [{ role: 'user', content: 'Hi', name: 3 }] }, 'messages[0].name', 'invalid_type'],
  ] as const)('names the message field of %j', (fields, param, code) => {
    const error = rejection({ ...base, ...fields });
    expect(error?.param).toBe(param);
    expect(error?.code).toBe(code);
  });

  it('says which roles exist when a role is wrong', () => {
    expect(rejection({ messages: [{ role: 'bot', content: 'x' }] })?.message).toBe(
      "Invalid value: 'bot'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.",
    );
  });

  it("gives the mock OpenAI's own codes for the same problems", () => {
    expect(findOpenAiChatFieldProblem({ ...base, temperature: 3 })?.code).toBe('decimal_above_max_value');
    expect(findOpenAiChatFieldProblem({ ...base, n: 0 })?.code).toBe('integer_below_min_value');
    expect(findOpenAiChatFieldProblem({ ...base, messages: [] })?.code).toBe('empty_array');
    expect(findOpenAiChatFieldProblem({ ...base, messages: [{ role: 'user' }] })?.code).toBe('missing_required_parameter');
    expect(findOpenAiChatFieldProblem(base)).toBeNull();
  });
});

// These go through the app, so they pass once the lead calls checkOpenAiChatFields in the /v1/chat/completions route.
describe('POST /v1/chat/completions with a wrongly typed field', () => {
  it.each([
    [{ max_tokens: '100' }, 'max_tokens'],
    [{ temperature: 'hot' }, 'temperature'],
    [{ stream: 'true' }, 'stream'],
    [{ messages: [{ role: 'bot', content: 'Hello' }] }, 'messages[0].role'],
    [{ tools: [{ type: 'function', function: { parameters: {} } }] }, 'tools[0].function.name'],
  ])('answers 400 naming the field with zero upstream calls: %j', async (fields, param) => {
    const { id, body } = chatBody({}, fields);
    const response = await call('/v1/chat/completions', { json: body });
    expect(response.status).toBe(400);
    const { error } = await response.json<{ error: { param: string; type: string } }>();
    expect(error).toMatchObject({ param, type: 'invalid_request_error' });
    expect((await mockCalls(id)).count).toBe(0);
  });

  it('still forwards fields it does not know', async () => {
    const { id, body } = chatBody({}, { x_vendor_option: { deep: [1] } });
    const response = await call('/v1/chat/completions', { json: body });
    expect(response.status).toBe(200);
    expect((await mockCalls(id)).requests[0]?.body['x_vendor_option']).toEqual({ deep: [1] });
  });
});
