import type { ChatCompletion } from '../core/types.ts';
import { ChunkAccumulator } from '../stream/accumulate.ts';
import type { Answer } from './types.ts';

/** Reads an answer's events to the end as one completion (for JSON responses and shared calls). */
export async function collectCompletion(answer: Answer): Promise<ChatCompletion> {
  let whole: ChatCompletion | undefined;
  const accumulator = new ChunkAccumulator();
  for await (const event of answer.events) {
    if (event.type === 'completion') whole = event.completion;
    else if (event.type === 'chunks') for (const chunk of event.chunks) accumulator.add(chunk);
  }
  return whole ?? accumulator.result();
}
