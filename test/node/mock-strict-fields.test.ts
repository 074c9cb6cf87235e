// The mock upstream rejects what OpenAI rejects about the documented fields' types, in OpenAI's error shape,
// so a gateway test that forwards a wrong type sees the 400 production would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockUpstream, type MockUpstream } from '../../mock/upstream.ts';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({});
});
afterAll(() => mock.close());

async function post(body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${mock.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const messages = [{ role: 'user', content: 'Hello' }];

describe('mock upstream: field types as strict as OpenAI', () => {
  it('answers 400 invalid_type naming max_tokens sent as a string', async () => {
    const { status, body } = await post({ model: 'mock-model', messages, max_tokens: '100' });
    expect(status).toBe(400);
    expect(body).toEqual({
      error: {
        message: "Invalid type for 'max_tokens': expected an integer, but got a string instead.",
        type: 'invalid_request_error',
        param: 'max_tokens',
        code: 'invalid_type',
      },
    });
  });

  it("uses OpenAI's codes for ranges, enums and missing fields", async () => {
    expect((await post({ model: 'mock-model', messages, temperature: 3 })).body).toMatchObject({
      error: { param: 'temperature', code: 'decimal_above_max_value' },
    });
    expect((await post({ model: 'mock-model', messages: [{ role: 'bot', content: 'x' }] })).body).toMatchObject({
      error: { param: 'messages[0].role', code: 'invalid_value' },
    });
    expect((await post({ model: 'mock-model', messages: [...messages, { role: 'tool', content: 'x' }] })).body).toMatchObject({
      error: { param: 'messages[1].tool_call_id', code: 'missing_required_parameter' },
    });
  });

  it('still answers a valid request carrying fields it does not know', async () => {
    const { status } = await post({ model: 'mock-model', messages, max_tokens: 100, x_vendor_option: true });
    expect(status).toBe(200);
  });
});
