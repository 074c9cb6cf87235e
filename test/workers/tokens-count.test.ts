import { functionCallingTestCases } from 'gpt-tokenizer/esm/fixtures/functionCallingTestCases';
import { describe, expect, it } from 'vitest';
import { countChatTokens } from '../../src/tokens/count-chat.ts';
import { encodingFor } from '../../src/tokens/encodings.ts';
import { dataUrlImageSize, imageTokens } from '../../src/tokens/image-tokens.ts';

// OpenAI cookbook, "How to count tokens with tiktoken", section 6: the example chat, with the prompt_tokens
// the OpenAI API reported for it (129 on cl100k_base models, 124 on o200k_base models).
const COOKBOOK_CHAT = [
  { role: 'system', content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.' },
  { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
  { role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
  {
    role: 'system',
    name: 'example_user',
    content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
  },
  { role: 'system', name: 'example_assistant', content: "Let's talk later when we're less busy about how to do better." },
  { role: 'user', content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
];

// Same cookbook, section 7: a chat with one tool; the API reported 105 (gpt-3.5-turbo, gpt-4) and 101 (gpt-4o, gpt-4o-mini).
const COOKBOOK_TOOL_CHAT = [
  { role: 'system', content: 'You are a helpful assistant that can answer to questions about the weather.' },
  { role: 'user', content: "What's the weather like in San Francisco?" },
];
const COOKBOOK_TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_current_weather',
      description: 'Get the current weather in a given location',
      parameters: {
        type: 'object',
        properties: {
          location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
          unit: { type: 'string', description: 'The unit of temperature to return', enum: ['celsius', 'fahrenheit'] },
        },
        required: ['location'],
      },
    },
  },
];

describe('countChatTokens against OpenAI cookbook figures', () => {
  for (const [model, tokens] of [
    ['gpt-3.5-turbo', 129],
    ['openai/gpt-4', 129],
    ['openai/gpt-4o', 124],
    ['openai/gpt-4o-mini', 124],
  ] as const) {
    it(`counts the cookbook's example chat as ${tokens} tokens for ${model}`, async () => {
      expect(await countChatTokens(model, COOKBOOK_CHAT)).toEqual({ tokens, estimated: false });
    });
  }
  for (const [model, tokens] of [
    ['openai/gpt-3.5-turbo', 105],
    ['openai/gpt-4', 105],
    ['openai/gpt-4o', 101],
    ['openai/gpt-4o-mini', 101],
  ] as const) {
    it(`counts the cookbook's tool example as ${tokens} tokens for ${model}`, async () => {
      expect(await countChatTokens(model, COOKBOOK_TOOL_CHAT, COOKBOOK_TOOLS)).toEqual({ tokens, estimated: false });
    });
  }
});

describe("countChatTokens against gpt-tokenizer's published test vectors (src/fixtures/functionCallingTestCases.ts, o200k_base)", () => {
  // Cases with a request-level `function_call` are left out: countChatTokens takes messages and tools only.
  const cases = functionCallingTestCases.filter((c) => !('function_call' in c) || c.function_call === 'auto');
  it('has the vectors to check', () => expect(cases.length).toBeGreaterThan(20));
  for (const [i, c] of cases.entries()) {
    it(`case ${i}: ${c.tokens} tokens`, async () => {
      const tools = 'functions' in c && c.functions ? c.functions.map((f) => ({ type: 'function', function: f })) : undefined;
      expect((await countChatTokens('openai/gpt-4o', c.messages, tools)).tokens).toBe(c.tokens);
    });
  }
});

describe('which encoding, and when a count is an estimate', () => {
  it('uses o200k_base for current OpenAI models and cl100k_base for gpt-4 and gpt-3.5', () => {
    for (const m of [
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4.1-nano',
      'o1',
      'o3-mini',
      'o4-mini',
      'gpt-5',
      'gpt-5-mini',
      'azure/gpt-4o',
      'openrouter/openai/gpt-4.1',
    ])
      expect(encodingFor(m).encoding, m).toBe('o200k_base');
    for (const m of ['gpt-4', 'gpt-4-0613', 'gpt-4-turbo', 'gpt-3.5-turbo', 'gpt-3.5-turbo-0125'])
      expect(encodingFor(m).encoding, m).toBe('cl100k_base');
  });
  it('labels counts for non-OpenAI models as o200k estimates', async () => {
    expect(await countChatTokens('anthropic/claude-sonnet-4-5', COOKBOOK_CHAT)).toEqual({ tokens: 124, estimated: true });
    expect((await countChatTokens('groq/llama-3.3-70b-versatile', COOKBOOK_CHAT)).estimated).toBe(true);
  });
  it('counts special-token strings in user text as plain text instead of failing', async () => {
    expect((await countChatTokens('openai/gpt-4o', [{ role: 'user', content: 'say <|endoftext|>' }])).tokens).toBeGreaterThan(8);
  });
  it('marks tool calls and tool results in the history as estimated', async () => {
    const history = [
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: '{"temp":21}' },
    ];
    const count = await countChatTokens('openai/gpt-4o', history);
    expect(count.estimated).toBe(true);
    expect(count.tokens).toBeGreaterThan((await countChatTokens('openai/gpt-4o', history.slice(0, 1))).tokens + 10);
  });
});

// A PNG header (signature + IHDR) and a minimal JPEG (SOI, APP0, SOF0) of the given sizes; 640×480 is 2×1 tiles.
const png = (w: number, h: number) => {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, w);
  new DataView(b.buffer).setUint32(20, h);
  return `data:image/png;base64,${btoa(String.fromCharCode(...b))}`;
};
const jpeg = (w: number, h: number) => {
  const app0 = [0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const sof0 = [0xff, 0xc0, 0, 17, 8, h >> 8, h & 255, w >> 8, w & 255, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return `data:image/jpeg;base64,${btoa(String.fromCharCode(0xff, 0xd8, ...app0, ...sof0, 0xff, 0xd9))}`;
};

describe('images by the tile rule (OpenAI vision guide, "Calculating costs")', () => {
  it("gives the guide's worked examples: 1024×1024 high is 765, 2048×4096 high is 1105, low is 85", () => {
    expect(imageTokens('gpt-4o', 'high', { width: 1024, height: 1024 })).toBe(765);
    expect(imageTokens('gpt-4o', 'high', { width: 2048, height: 4096 })).toBe(1105);
    expect(imageTokens('gpt-4o', 'low', { width: 4096, height: 8192 })).toBe(85);
  });
  it('reads the size of a PNG or JPEG data URL from its header', () => {
    expect(dataUrlImageSize(png(3000, 1500))).toEqual({ width: 3000, height: 1500 });
    expect(dataUrlImageSize(jpeg(640, 480))).toEqual({ width: 640, height: 480 });
    expect(dataUrlImageSize('https://example.com/cat.png')).toBeUndefined();
  });
  it('counts a data-URL image exactly and a remote one at the worst case, marked estimated', async () => {
    const withImage = (url: string, detail?: string) => [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this' },
          { type: 'image_url', image_url: { url, ...(detail ? { detail } : {}) } },
        ],
      },
    ];
    const text = (await countChatTokens('openai/gpt-4o', [{ role: 'user', content: 'what is this' }])).tokens;
    expect(await countChatTokens('openai/gpt-4o', withImage(jpeg(640, 480), 'high'))).toEqual({
      tokens: text + 85 + 170 * 2,
      estimated: false,
    });
    expect(await countChatTokens('openai/gpt-4o', withImage('https://example.com/cat.png'))).toEqual({
      tokens: text + 85 + 170 * 8,
      estimated: true,
    });
    expect(await countChatTokens('openai/gpt-4o', withImage('https://example.com/cat.png', 'low'))).toEqual({
      tokens: text + 85,
      estimated: false,
    });
  });
});
