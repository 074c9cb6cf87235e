import { describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.ts';
import { call, eventually, mockCalls, scenario, scriptedApp } from './support/gateway.ts';

// The upstream sends a role frame and two long pieces of text, then holds the connection open and silent:
// on a fake clock no idle timeout ever ends it, so only the client leaving can close it. (The text is long
// enough to pass the secret scrubber's holdback, which keeps back a tail the length of the longest secret.)
const stalled = { content: 'word '.repeat(40), stream: { pieces: 4, stall_after: 3 } };

async function readOneChunkThenLeave(response: Response): Promise<void> {
  const reader = response.body!.getReader();
  const first = await reader.read();
  expect(first.done).toBe(false);
  await reader.cancel();
}

describe('when the client goes away mid-stream', () => {
  it('aborts the upstream request of a /v1/chat/completions stream at once', async () => {
    const { app } = scriptedApp({ clock: new FakeClock() });
    const { model, id } = await scenario(stalled);
    await readOneChunkThenLeave(
      await call('/v1/chat/completions', { json: { model, messages: [{ role: 'user', content: 'hi' }], stream: true }, app }),
    );
    expect(await eventually(async () => (await mockCalls(id)).closed_by_client === 1)).toBe(true);
    expect((await mockCalls(id)).count).toBe(1);
  });

  it('aborts the upstream request of a /stream stream at once', async () => {
    const { app } = scriptedApp({ clock: new FakeClock() });
    const { model, id } = await scenario(stalled);
    await readOneChunkThenLeave(await call('/stream', { json: { model, prompt: 'hi' }, app }));
    expect(await eventually(async () => (await mockCalls(id)).closed_by_client === 1)).toBe(true);
  });
});
