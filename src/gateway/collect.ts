import type { ChatCompletion, JsonObject } from '../core/types.ts';
import { ChunkAccumulator } from '../stream/accumulate.ts';
import type { Answer } from './types.ts';

/** Reads an answer's events to the end as one completion (for JSON responses and shared calls). */
export async function collectCompletion(answer: Answer): Promise<ChatCompletion> {
  return (await collectAnswer(answer)).completion;
}

/** The same, with the provider's own answer when the call asked for it and the wire kept it (a non-stream answer). */
export async function collectAnswer(answer: Answer): Promise<{ completion: ChatCompletion; native?: JsonObject }> {
  let whole: ChatCompletion | undefined;
  let native: JsonObject | undefined;
  const accumulator = new ChunkAccumulator();
  for await (const event of answer.events) {
    if (event.type === 'completion') {
      whole = event.completion;
      native = event.native;
    } else if (event.type === 'chunks') for (const chunk of event.chunks) accumulator.add(chunk);
  }
  const completion = whole ?? accumulator.result();
  return native ? { completion, native } : { completion };
}
