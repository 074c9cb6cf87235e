import { describe, expect, it } from 'vitest';
import { call, eventually, mockCalls, scenario } from './support/gateway.ts';

const slow = { stream: { chunk_delay_ms: 200, pieces: 100 } };

async function readOneChunkThenLeave(response: Response): Promise<void> {
  const reader = response.body!.getReader();
  const first = await reader.read();
  expect(first.done).toBe(false);
  await reader.cancel();
}

describe('when the client goes away mid-stream', () => {
  it('aborts the upstream request of a /v1/chat/completions stream at once', async () => {
    const { model, id } = await scenario(slow);
    await readOneChunkThenLeave(await call('/v1/chat/completions', { json: { model, messages: [{ role: 'user', content: 'hi' }], stream: true } }));
    expect(await eventually(async () => (await mockCalls(id)).closed_by_client === 1)).toBe(true);
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('aborts the upstream request of a /stream stream at once', async () => {
    const { model, id } = await scenario(slow);
    await readOneChunkThenLeave(await call('/stream', { json: { model, prompt: 'hi' } }));
    expect(await eventually(async () => (await mockCalls(id)).closed_by_client === 1)).toBe(true);
  });
});
